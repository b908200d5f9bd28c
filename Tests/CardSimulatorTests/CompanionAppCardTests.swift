import CardProtocols
import CardSecurity
import CardSimulator
import Crypto
import Testing

/// The phone with the companion app, checked with the project's own reader-side verifier.
@Suite("Companion app phone (HCE)")
struct CompanionAppCardTests {
    static func phone(state: CompanionAppResponder.State = .ready) throws -> CompanionAppCard {
        let deviceID = CompanionAppCard.sampleDeviceID
        let responder = CompanionAppResponder(
            deviceID: deviceID, privateKey: CompanionAppCard.testKey(for: deviceID), state: state)
        return try CompanionAppCard(responder: responder, uid: [0x08, 0x01, 0x02, 0x03])
    }

    @Test func selectThenAuthenticateVerifies() async throws {
        let phone = try Self.phone()
        let select = phone.respond(to: try CompanionAppProtocol.selectCommand().serialized())
        let answer = try CompanionAppSelectAnswer(parsing: ResponseAPDU(parsing: select))
        #expect(answer.protocolVersion == CompanionAppProtocol.protocolVersion)

        let challenge = CompanionAppProtocol.makeChallenge()
        let context = try CompanionAppProtocol.readerContext(storeID: "store-1", deviceName: "till")
        let command = try CompanionAppProtocol.authenticateCommand(challenge: challenge, readerContext: context)
        let response = phone.respond(to: command.serialized())
        let publicKey = phone.publicKey
        let verified = try await CompanionAppVerifier().verify(
            response: response, challenge: challenge, readerContext: context,
            keyLookup: { $0 == CompanionAppCard.sampleDeviceID ? publicKey : nil })
        #expect(verified == CompanionAppCard.sampleDeviceID)
    }

    @Test func testKeyIsDeterministicPerDevice() throws {
        let first = CompanionAppCard.testKey(for: CompanionAppCard.sampleDeviceID)
        let again = CompanionAppCard.testKey(for: CompanionAppCard.sampleDeviceID)
        let other = CompanionAppCard.testKey(for: try AppDeviceID(hex: "00112233445566778899AABBCCDDEEFF"))
        #expect(first.rawRepresentation == again.rawRepresentation)
        #expect(first.rawRepresentation != other.rawRepresentation)
    }

    @Test(arguments: [
        (CompanionAppResponder.State.notEnrolled, "69 85"),
        (.locked, "69 83"),
        (.confirmationRequired, "69 82"),
    ])
    func refusalsFollowTheAppState(_ state: CompanionAppResponder.State, status: String) throws {
        let phone = try Self.phone(state: state)
        let command = try CompanionAppProtocol.authenticateCommand(
            challenge: [UInt8](repeating: 1, count: 16), readerContext: [UInt8](repeating: 2, count: 16))
        #expect(hex(phone.respond(to: command.serialized())) == status)
    }

    @Test func stateCanChangeBetweenTaps() throws {
        let phone = try Self.phone()
        phone.appState = .locked
        #expect(phone.appState == .locked)
    }

    @Test func readerAndUnknownApplications() throws {
        let phone = try Self.phone()
        #expect(phone.atr == bytes("3B 80 80 01 01"))
        #expect(phone.respond(to: bytes("FF CA 00 00 00")) == bytes("08 01 02 03 90 00"))
        #expect(phone.respond(to: CommandAPDU.selectPPSE.serialized()) == bytes("6A 82"))
        #expect(phone.respond(to: bytes("00 A4 04 00 07 D2 76 00 00 85 01 01 00")) == bytes("6A 82"))
        #expect(phone.respond(to: bytes("00")) == bytes("67 00"))
    }

    @Test func randomUIDStartsWith08() throws {
        let responder = CompanionAppResponder(
            deviceID: CompanionAppCard.sampleDeviceID, privateKey: CompanionAppCard.testKey(for: CompanionAppCard.sampleDeviceID))
        let phone = try CompanionAppCard(responder: responder)
        #expect(phone.identity.uid.count == 4)
        #expect(phone.identity.uid.first == 0x08)
    }
}
