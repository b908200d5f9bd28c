import CardProtocols
import CardSecurity
import Crypto
import Testing

@Suite("Companion app challenge–response")
struct CompanionAppTests {
    static let deviceID = try! AppDeviceID(hex: "D1D2D3D4D5D6D7D8D9DADBDCDDDEDFE0")
    static let phoneKey = P256.Signing.PrivateKey()
    static let context = bytes("337A45C3527D11E4514B1B4BAEDA11E4")

    static func lookup(_ id: AppDeviceID) -> P256.Signing.PublicKey? {
        id == deviceID ? phoneKey.publicKey : nil
    }

    var phone: CompanionAppResponder {
        CompanionAppResponder(deviceID: Self.deviceID, privateKey: Self.phoneKey, appVersion: (2, 3, 4))
    }

    /// One tap as a reader does it: SELECT, then AUTHENTICATE with a fresh challenge.
    func tap(_ phone: CompanionAppResponder, challenge: [UInt8]) throws -> [UInt8] {
        let select = try CompanionAppSelectAnswer(
            parsing: ResponseAPDU(parsing: phone.respond(to: CompanionAppProtocol.selectCommand().serialized())))
        #expect(select.protocolVersion == CompanionAppProtocol.protocolVersion)
        let command = try CompanionAppProtocol.authenticateCommand(challenge: challenge, readerContext: Self.context)
        return phone.respond(to: command.serialized())
    }

    @Test("the commands are the documented bytes")
    func commandBytes() throws {
        #expect(try CompanionAppProtocol.selectCommand().serialized() == bytes("00A404000AF0504152434F5552530100"))
        let challenge = bytes("00112233445566778899AABBCCDDEEFF")
        let authenticate = try CompanionAppProtocol.authenticateCommand(challenge: challenge, readerContext: Self.context)
        #expect(authenticate.serialized() == bytes("8010000020") + challenge + Self.context + [0x00])
        #expect(try CompanionAppProtocol.readerContext(storeID: "PAR-0042", deviceName: "caisse-1") == Self.context)
        #expect(throws: CardSecurityError.configuration) { try CompanionAppProtocol.readerContext(storeID: "PAR|0042", deviceName: "x") }
        #expect(throws: CardSecurityError.configuration) {
            try CompanionAppProtocol.authenticateCommand(challenge: [1, 2, 3], readerContext: Self.context)
        }
    }

    @Test("a good tap authenticates the device")
    func goodTap() async throws {
        let challenge = CompanionAppProtocol.makeChallenge()
        let select = phone.respond(to: try CompanionAppProtocol.selectCommand())
        #expect(select == ResponseAPDU(data: [1, 2, 3, 4], status: .success))
        let answer = try tap(phone, challenge: challenge)
        #expect(answer.count == 82)
        let device = try await CompanionAppVerifier().verify(
            response: answer, challenge: challenge, readerContext: Self.context, keyLookup: Self.lookup)
        #expect(device == Self.deviceID)
    }

    @Test("an answer made by another implementation (Python cryptography, DER converted to r ‖ s) verifies")
    func interoperabilityVector() async throws {
        let publicKey = try P256.Signing.PublicKey(x963Representation: bytes(
            "04945BAFBFE49BBFFE5C33D49CD083DA75CE805AAF1F2A82CFB010E0968163582A40F7F692A325069E22CC0FE04C0E68322F4459E45106D54325EE23B8C66BD184"))
        let answer = bytes(
            "D1D2D3D4D5D6D7D8D9DADBDCDDDEDFE0"
                + "19A99432719A8B49885151CAE4A9201E2A77ADFF4FE443F33A6EFA7227462887"
                + "90AF389EC070AC2B7374A3BE844FBB277D4F2616D60F4A43346228CDDF360EF2" + "9000")
        let device = try await CompanionAppVerifier().verify(
            response: answer, challenge: bytes("00112233445566778899AABBCCDDEEFF"), readerContext: Self.context,
            keyLookup: { $0 == Self.deviceID ? publicKey : nil })
        #expect(device == Self.deviceID)
        #expect(CompanionAppProtocol.signedMessage(
            challenge: bytes("00112233445566778899AABBCCDDEEFF"), deviceID: Self.deviceID, readerContext: Self.context)
            == Array("parcours-app-v1".utf8) + bytes("00112233445566778899AABBCCDDEEFF D1D2D3D4D5D6D7D8D9DADBDCDDDEDFE0") + Self.context)
    }

    @Test("an unknown device is rejected")
    func unknownDevice() async throws {
        let stranger = CompanionAppResponder(
            deviceID: try AppDeviceID(hex: "00000000000000000000000000000001"), privateKey: P256.Signing.PrivateKey())
        let challenge = CompanionAppProtocol.makeChallenge()
        let answer = try tap(stranger, challenge: challenge)
        let error = try await #require(throws: CardSecurityError.self) {
            try await CompanionAppVerifier().verify(
                response: answer, challenge: challenge, readerContext: Self.context, keyLookup: Self.lookup)
        }
        #expect(error.code == .unknownDevice)
        #expect(error.message == "device 00000000000000000000000000000001 has no enrolled key")
    }

    @Test("a phone claiming an enrolled device id with another key fails the signature")
    func badSignature() async throws {
        let impostor = CompanionAppResponder(deviceID: Self.deviceID, privateKey: P256.Signing.PrivateKey())
        let challenge = CompanionAppProtocol.makeChallenge()
        let answer = try tap(impostor, challenge: challenge)
        await #expect(throws: CardSecurityError.badSignature) {
            try await CompanionAppVerifier().verify(
                response: answer, challenge: challenge, readerContext: Self.context, keyLookup: Self.lookup)
        }
    }

    @Test("a recorded answer replayed against a new challenge fails; the same challenge twice is refused")
    func replay() async throws {
        let verifier = CompanionAppVerifier()
        let firstChallenge = CompanionAppProtocol.makeChallenge()
        let recorded = try tap(phone, challenge: firstChallenge)
        _ = try await verifier.verify(
            response: recorded, challenge: firstChallenge, readerContext: Self.context, keyLookup: Self.lookup)

        let newChallenge = CompanionAppProtocol.makeChallenge()
        await #expect(throws: CardSecurityError.badSignature) {
            try await verifier.verify(
                response: recorded, challenge: newChallenge, readerContext: Self.context, keyLookup: Self.lookup)
        }
        let error = try await #require(throws: CardSecurityError.self) {
            try await verifier.verify(
                response: recorded, challenge: firstChallenge, readerContext: Self.context, keyLookup: Self.lookup)
        }
        #expect(error.code == .replayedChallenge)
    }

    @Test("the challenge memory is bounded and forgets the oldest first")
    func boundedMemory() async throws {
        let verifier = CompanionAppVerifier(challengeMemory: 2)
        var challenges: [[UInt8]] = []
        for _ in 0..<3 {
            let challenge = CompanionAppProtocol.makeChallenge()
            challenges.append(challenge)
            _ = try await verifier.verify(
                response: tap(phone, challenge: challenge), challenge: challenge, readerContext: Self.context,
                keyLookup: Self.lookup)
        }
        await #expect(throws: CardSecurityError.replayedChallenge) {
            try await verifier.verify(response: tap(phone, challenge: challenges[2]), challenge: challenges[2],
                                      readerContext: Self.context, keyLookup: Self.lookup)
        }
        // The first was forgotten: only its fresh signature makes it pass again.
        _ = try await verifier.verify(response: tap(phone, challenge: challenges[0]), challenge: challenges[0],
                                      readerContext: Self.context, keyLookup: Self.lookup)
    }

    @Test("an answer given to another reader fails here")
    func otherReader() async throws {
        let challenge = CompanionAppProtocol.makeChallenge()
        let elsewhere = try CompanionAppProtocol.readerContext(storeID: "PAR-0042", deviceName: "caisse-2")
        let answer = phone.respond(to: try CompanionAppProtocol.authenticateCommand(
            challenge: challenge, readerContext: elsewhere).serialized())
        await #expect(throws: CardSecurityError.badSignature) {
            try await CompanionAppVerifier().verify(
                response: answer, challenge: challenge, readerContext: Self.context, keyLookup: Self.lookup)
        }
    }

    @Test("truncated and overlong answers are malformed", arguments: [0, 1, 2, 3, 18, 81, 82, 83, 200])
    func truncated(_ length: Int) async throws {
        let challenge = CompanionAppProtocol.makeChallenge()
        let full = try tap(phone, challenge: challenge)
        // Keep the status word at the end, as a reader would receive a short or long answer.
        let data = Array(full.dropLast(2))
        let body = length <= 2 ? Array(full.suffix(length)) :
            Array((data + [UInt8](repeating: 0xAB, count: max(0, length - 2 - data.count))).prefix(length - 2)) + [0x90, 0x00]
        if length == 82 {
            #expect(body == full)
            return
        }
        let error = try await #require(throws: CardSecurityError.self) {
            try await CompanionAppVerifier().verify(
                response: body, challenge: challenge, readerContext: Self.context, keyLookup: Self.lookup)
        }
        #expect(error.code == .malformed)
    }

    @Test("refusals carry the app's reason", arguments: [
        (CompanionAppResponder.State.notEnrolled, "not enrolled"),
        (.locked, "locked"),
        (.confirmationRequired, "tap again"),
    ])
    func refusals(_ state: CompanionAppResponder.State, _ reason: String) async throws {
        var phone = phone
        phone.state = state
        let challenge = CompanionAppProtocol.makeChallenge()
        let answer = try tap(phone, challenge: challenge)
        #expect(answer.count == 2)
        let error = try await #require(throws: CardSecurityError.self) {
            try await CompanionAppVerifier().verify(
                response: answer, challenge: challenge, readerContext: Self.context, keyLookup: Self.lookup)
        }
        #expect(error.code == .deviceRefused)
        #expect(error.message.contains(reason))
    }

    @Test("the responder answers other commands with ISO status words")
    func otherCommands() throws {
        #expect(phone.respond(to: try CommandAPDU.select(aid: bytes("A0000000031010")).serialized()) == bytes("6A82"))
        #expect(phone.respond(to: bytes("8010000004 01020304 00")) == bytes("6700"))
        #expect(phone.respond(to: bytes("8010010020") + [UInt8](repeating: 0, count: 32) + [0]) == bytes("6A86"))
        #expect(phone.respond(to: bytes("80CA000000")) == bytes("6D00"))
        #expect(phone.respond(to: bytes("FFCA000000")) == bytes("6E00"))
        #expect(phone.respond(to: bytes("00")) == bytes("6700"))
        let error = #expect(throws: CardSecurityError.self) {
            try CompanionAppSelectAnswer(parsing: ResponseAPDU(status: .fileNotFound))
        }
        #expect(error?.message.contains("not installed") == true)
        #expect(throws: CardSecurityError.malformed) {
            try CompanionAppSelectAnswer(parsing: ResponseAPDU(data: [2, 1, 0, 0], status: .success))
        }
    }
}
