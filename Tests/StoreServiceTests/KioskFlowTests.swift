import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReaderService
import StoreCore
import Testing
@testable import StoreService

@Suite("Kiosk flow")
struct KioskFlowTests {
    @Test("unknown card → sign-up binds it → the next tap greets by name → feedback")
    func signUpThenGreet() async throws {
        let service = try await TestService()
        try await service.tap(uid: "04A1B2C3D4E5F6", reader: kioskReader)
        try await service.application.test(.router) { client in
            let kiosk = Caller(name: "kiosk", deviceToken: service.kiosk.token)
            let current = try await client.send(.get, "/v1/taps/current", as: kiosk).json()
            #expect(current["customer"] as? String == "unknown")
            #expect(current["greeting"] == nil)
            let tapRef = try #require(current["tapRef"] as? String)
            // The page never sees the card's identifiers.
            #expect(!(try await client.send(.get, "/v1/taps/current", as: kiosk).text.contains("04A1B2")))

            let signUp = try await client.send(.post, "/v1/signups", as: kiosk, json: #"{"tapRef":"\#(tapRef)","firstName":"Marie","email":"marie@example.com","language":"fr","consents":{"marketingEmail":true,"marketingSMS":false,"profiling":false}}"#)
            #expect(signUp.status == .created, "\(signUp.text)")
            let signedUp = try signUp.json()
            #expect(signedUp["cardBound"] as? Bool == true)
            #expect(signedUp["profileId"] == nil)
            // The same tap cannot sign up twice.
            let again = try await client.send(.post, "/v1/signups", as: kiosk, json: #"{"tapRef":"\#(tapRef)","firstName":"Marie","email":"marie2@example.com","language":"fr","consents":{"marketingEmail":false,"marketingSMS":false,"profiling":false}}"#)
            #expect(again.status == .conflict)
            #expect(try again.json()["error"] as? String == "alreadyKnown")
            // The screen now greets her.
            let greeted = try await client.send(.get, "/v1/taps/current", as: kiosk).json()
            #expect((greeted["greeting"] as? [String: Any])?["firstName"] as? String == "Marie")

            // The next tap of the same card is recognised by the store.
            let next = try await service.tap(uid: "04A1B2C3D4E5F6", reader: kioskReader)
            guard case .recorded(_, _, let outcome) = next else { Issue.record("tap not recorded: \(next)"); return }
            #expect(outcome.greeting?.firstName == "Marie")
            let profileId = try #require(outcome.greeting?.profileId)
            let nextTap = try await client.send(.get, "/v1/taps/current", as: kiosk).json()
            #expect(nextTap["customer"] as? String == "known")
            #expect(nextTap["profileId"] == nil)

            let feedback = try await client.send(.post, "/v1/feedback", as: kiosk,
                                                 json: #"{"score":9,"comment":"Très bien","language":"fr","tapRef":"\#(nextTap["tapRef"] as! String)"}"#)
            #expect(feedback.status == .created, "\(feedback.text)")
            // The consents were recorded as answered.
            let consents = try await service.database.consents(profileId: profileId)
            #expect(consents.first { $0.purpose == .marketingEmail }?.granted == true)
            #expect(consents.first { $0.purpose == .profiling }?.granted == false)
        }
    }

    @Test("a contactless bank card gets the same treatment: its payment token is bound by the sign-up, the next tap greets")
    func paymentCardSignUp() async throws {
        let service = try await TestService(withStaff: false)
        let token = String(repeating: "AB", count: 32)
        let json: [String: Any] = [
            "reader": kioskReader, "at": service.clock.now.timeIntervalSinceReferenceDate, "technology": "EMV contactless",
            "atr": "3B8A800150", "identifiers": ["paymentToken": token, "maskedPAN": "476173******0010", "paymentScheme": "Visa"],
            "apduCount": 7, "milliseconds": 12.0,
        ]
        let tap = try JSONDecoder().decode(TapResult.self, from: JSONSerialization.data(withJSONObject: json))
        await service.pipeline.handle(tap)
        try await service.application.test(.router) { client in
            let kiosk = Caller(name: "kiosk", deviceToken: service.kiosk.token)
            let current = try await client.send(.get, "/v1/taps/current", as: kiosk)
            #expect(!current.text.contains("476173"), "the masked PAN never reaches the screen")
            #expect(try current.json()["customer"] as? String == "unknown")
            let tapRef = try #require(try current.json()["tapRef"] as? String)
            let signUp = try await client.send(.post, "/v1/signups", as: kiosk, json: #"{"tapRef":"\#(tapRef)","firstName":"Jean","email":"jean@example.com","language":"fr","consents":{"marketingEmail":false,"marketingSMS":false,"profiling":false}}"#)
            #expect(signUp.status == .created, "\(signUp.text)")
            #expect(try signUp.json()["cardBound"] as? Bool == true)
        }
        let bound = try #require(try await service.database.identifier(kind: .paymentToken, value: token))
        let profileId = try #require(bound.profileId)
        let again = await service.pipeline.handle(tap)
        guard case .recorded(_, _, let outcome) = again else { Issue.record("tap not recorded: \(again)"); return }
        #expect(outcome.greeting?.profileId == profileId)
        #expect(outcome.greeting?.firstName == "Jean")
        #expect(outcome.recognizedBy == .paymentToken)
    }

    @Test("a stale tap reference is refused; the tap expires after the idle timeout")
    func staleAndExpiredTaps() async throws {
        let service = try await TestService(settings: StoreServiceSettings(tapIdleTimeout: 45), withStaff: false)
        try await service.tap(uid: "04A1B2C3D4E5F6", reader: kioskReader)
        try await service.application.test(.router) { client in
            let kiosk = Caller(name: "kiosk", deviceToken: service.kiosk.token)
            let stale = try await client.send(.post, "/v1/feedback", as: kiosk, json: #"{"score":3,"language":"en","tapRef":"0123"}"#)
            #expect(stale.status == .conflict)
            #expect(try stale.json()["error"] as? String == "tapExpired")
            service.clock.advance(by: 44)
            #expect(try await client.send(.get, "/v1/taps/current", as: kiosk).status == .ok)
            service.clock.advance(by: 2)
            #expect(try await client.send(.get, "/v1/taps/current", as: kiosk).status == .notFound)
        }
    }

    @Test("a till with staff sees the tapped customer's profile id; without staff it does not")
    func tillSeesProfileIdWithStaff() async throws {
        let service = try await TestService()
        let profileId = try await service.database.signUp(SignUpRequest(
            firstName: "Ada", email: "ada@example.com", language: "en",
            identifiers: StoreCore.TapIdentifiers(cardUID: "04F6E5D4C3B2A1"))).profile.id
        try await service.tap(uid: "04F6E5D4C3B2A1", reader: tillReader)
        try await service.application.test(.router) { client in
            let till = Caller(name: "till", deviceToken: service.till.token)
            #expect(try await client.send(.get, "/v1/taps/current", as: till).json()["profileId"] == nil)
            let staff = Caller(name: "staff", deviceToken: service.till.token,
                               staffToken: try await client.signIn(till: till, staffId: service.staff.id, pin: staffPIN))
            #expect(try await client.send(.get, "/v1/taps/current", as: staff).json()["profileId"] as? String == profileId)
            let panel = try await client.send(.get, "/v1/profiles/\(profileId)", as: staff)
            #expect(panel.status == .ok)
            // Identifiers by kind only: no card UID in the panel.
            #expect(!panel.text.contains("04F6E5"))
            let byCard = try await client.send(.get, "/v1/profiles?cardUID=04F6E5D4C3B2A1", as: staff).json()
            #expect((byCard["profiles"] as? [[String: Any]])?.count == 1)
        }
    }
}
