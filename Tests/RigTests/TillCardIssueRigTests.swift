import CardProtocols
import CardSecurity
import CardSimulator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PCSC
import ReaderService
import StoreCore
import StoreService
import Testing

/// A till issues a loyalty card through the running service: the API asks the reader service, which owns the
/// readers, to write the blank tag on the till's reader; the next tap of that tag greets the customer.
extension RigSuite {
    @Suite
    struct TillCardIssueRigTests {
        typealias Identification = CardIdentificationRigTests

        @Test("POST /v1/cards writes the blank tag on the till's reader, binds it, and its next tap greets the customer")
        func tillIssuesACard() async throws {
            let logs = LogCapture()
            let (database, folder) = try await TapRecordingRigTests.makeStore(logs)
            defer { try? FileManager.default.removeItem(at: folder) }
            let (service, events) = try Identification.start(logs)
            defer { service.stop() }
            let readerName = Rig.readerName(Identification.reader)
            let till = try await database.addDevice(kind: .till, name: "Till 1", boundReader: readerName)
            let clerk = try await database.addStaff(name: "Ana", role: .staff, pin: "5820")
            let customer = try await database.signUp(SignUpRequest(firstName: "Marie", email: "marie@example.com", language: "fr")).profile

            let issuer = CardIssuer(
                signer: LoyaltyCardSigner(keyring: Identification.keyring),
                verifier: try LoyaltyCardVerifier(keyring: Identification.keyring, hosts: [Identification.host]))
            let api = StoreAPI(database: database, cardIssuing: .through(
                service, issuer: issuer, host: Identification.host, waitingUpTo: .seconds(10)))
            let app = Application(router: api.makeRouter())

            // The customer's new blank card lies on the till reader (read once as a bare UID) when staff press "issue".
            let blank = try NTAGTag(model: .ntag213, uid: try TagUID(hex: "04DD11DD22DD33"))
            let before = await events.count
            let field = try await Rig.reader(Identification.reader).insert(blank, removal: .afterDwell(.seconds(20)))
            let firstRead = try #require(await events.next(after: before) { $0.tap?.reader == readerName }?.tap)
            #expect(firstRead.identifiers.cardUID == "04DD11DD22DD33")
            #expect(firstRead.identifiers.loyaltyCard == nil)

            let issuedCardID: String = try await app.test(.router) { client in
                var headers: HTTPFields = [.authorization: "Bearer \(till.token)", .contentType: "application/json"]
                let signIn = try await client.execute(
                    uri: "/v1/staff/sessions", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"staffId":"\#(clerk.id)","pin":"5820"}"#))
                #expect(signIn.status == .created)
                let session = try #require(try Self.object(signIn)["token"] as? String)
                headers[HTTPField.Name("X-Staff-Session")!] = session

                let issued = try await client.execute(
                    uri: "/v1/cards", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"profileId":"\#(customer.id)"}"#))
                #expect(issued.status == .created, "\(String(buffer: issued.body))")
                let card = try Self.object(issued)
                let issuedCardID = try #require(card["cardID"] as? String)
                #expect(card["uid"] as? String == "04DD11DD22DD33")
                #expect((card["url"] as? String)?.hasPrefix("https://\(Identification.host)/c/\(issuedCardID)") == true)

                // The same tag again: written now, so it is refused unless a reissue is asked for.
                let again = try await client.execute(
                    uri: "/v1/cards", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"profileId":"\#(customer.id)"}"#))
                #expect(again.status == .unprocessableContent)
                #expect(try Self.object(again)["error"] as? String == "cardAlreadyIssued")
                return issuedCardID
            }
            await field.remove()
            _ = await events.next(after: before) { $0.readerEvent == .cardRemoved(reader: readerName) }
            #expect(try await database.identifier(kind: .loyaltyCard, value: issuedCardID)?.profileId == customer.id)

            // The next tap of that tag is a signed loyalty card, and the store greets its owner.
            let tap = try await Identification.tap(blank, service, events)
            #expect(tap.identifiers.loyaltyCard == issuedCardID)
            guard case .recorded(_, let deviceId, let outcome) = await TapRecorder(database: database).record(tap) else {
                Issue.record("the tap of the issued card was not recorded")
                return
            }
            #expect(deviceId == till.device.id)
            #expect(outcome.greeting?.profileId == customer.id)
            #expect(outcome.recognizedBy == .loyaltyCard)
        }

        static func object(_ response: TestResponse) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
        }
    }
}
