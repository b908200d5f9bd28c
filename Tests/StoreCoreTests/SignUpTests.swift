import Foundation
import StoreCore
import Testing

@Suite("Sign-up, consent and profiles")
struct SignUpTests {
    @Test("sign-up records each consent separately and grants none that was not given")
    func consents() async throws {
        let store = try await TestStore()
        let outcome = try await store.database.signUp(SignUpRequest(
            firstName: " Grace ", lastName: "Hopper", email: "Grace@Navy.MIL", phone: "+1 202 555 0100", language: "en-US",
            consents: [.marketingEmail: true], at: t0))
        #expect(outcome.profile.firstName == "Grace")
        #expect(outcome.profile.email == "Grace@navy.mil")
        #expect(outcome.profile.phone == "+12025550100")
        #expect(outcome.signUpBonus == 50 && outcome.balance == 50)
        let current = try await store.database.consents(profileId: outcome.profile.id)
        #expect(current.count == ConsentPurpose.allCases.count)
        #expect(current.filter(\.granted).map(\.purpose) == [.marketingEmail])

        try await store.database.setConsent(profileId: outcome.profile.id, purpose: .marketingEmail, granted: false,
                                            source: .till, at: t0 + days(1))
        try await store.database.setConsent(profileId: outcome.profile.id, purpose: .profiling, granted: true,
                                            source: .kiosk, at: t0 + days(2))
        let now = try await store.database.consents(profileId: outcome.profile.id)
        #expect(now.filter(\.granted).map(\.purpose) == [.profiling])
        let history = try await store.database.consentHistory(profileId: outcome.profile.id)
        #expect(history.count == ConsentPurpose.allCases.count + 2)
        #expect(history.filter { $0.purpose == .marketingEmail }.map(\.granted) == [true, false])
    }

    @Test("a known email gets emailAlreadyRegistered, whatever its case, and no second profile")
    func duplicateEmail() async throws {
        let store = try await TestStore()
        _ = try await store.database.signUpTestProfile(email: "ada@example.com")
        let before = try await store.database.pendingOutboxCount()
        let error = await #expect(throws: StoreError.self) {
            try await store.database.signUp(SignUpRequest(firstName: "Other", email: " ADA@Example.com", language: "fr"))
        }
        #expect(error?.code == .emailAlreadyRegistered)
        #expect(try await store.database.findProfiles(.name("Other")).isEmpty)
        #expect(try await store.database.pendingOutboxCount() == before)
    }

    @Test("invalid sign-up input is refused and changes nothing", arguments: [
        ("", "x@example.com", nil, "en", StoreError.Code.invalidArgument),
        ("Ada", "not-an-email", nil, "en", .malformedEmail),
        ("Ada", "x@example.com", "0612345678", "en", .malformedPhone),
        ("Ada", "x@example.com", nil, "english!", .invalidArgument),
    ] as [(String, String, String?, String, StoreError.Code)])
    func invalidSignUp(first: String, email: String, phone: String?, language: String, code: StoreError.Code) async throws {
        let store = try await TestStore()
        let error = await #expect(throws: StoreError.self) {
            try await store.database.signUp(SignUpRequest(firstName: first, email: email, phone: phone, language: language))
        }
        #expect(error?.code == code)
        #expect(try await store.database.pendingOutboxCount() == 0)
        #expect(try await store.database.check().profileCount == 0)
    }

    @Test("a card that belongs to someone else cannot be signed up again; the failed sign-up leaves nothing")
    func identifierAlreadyBound() async throws {
        let store = try await TestStore()
        _ = try await store.database.signUpTestProfile(identifiers: TapIdentifiers(cardUID: "04A1B2C3D4E5F6"))
        let before = try await store.database.pendingOutboxCount()
        let error = await #expect(throws: StoreError.self) {
            try await store.database.signUp(SignUpRequest(firstName: "Mallory", email: "m@example.com", language: "en",
                                                          identifiers: TapIdentifiers(cardUID: "04A1B2C3D4E5F6")))
        }
        #expect(error?.code == .identifierAlreadyBound)
        // The profile row and its profile.created event were written before the check failed: both rolled back.
        #expect(try await store.database.findProfiles(.email("m@example.com")).isEmpty)
        #expect(try await store.database.pendingOutboxCount() == before)
        #expect(try await store.database.check().profileCount == 1)
    }

    @Test("profiles are found by email, phone or name")
    func findProfiles() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUp(SignUpRequest(firstName: "Ada", lastName: "Lovelace", email: "ada@example.com",
                                                                phone: "+44 20 7946 0958", language: "en")).profile.id
        let alan = try await store.database.signUp(SignUpRequest(firstName: "Alan", lastName: "Turing", email: "alan@example.com",
                                                                 language: "en")).profile.id
        #expect(try await store.database.findProfiles(.email("ADA@example.com")).map(\.id) == [ada])
        #expect(try await store.database.findProfiles(.phone("0044 20 7946 0958")).map(\.id) == [ada])
        #expect(try await store.database.findProfiles(.name("a")).map(\.id) == [ada, alan])
        #expect(try await store.database.findProfiles(.name("al tur")).map(\.id) == [alan])
        #expect(try await store.database.findProfiles(.name("%")).isEmpty)
        #expect(try await store.database.findProfiles(.email("nobody@example.com")).isEmpty)
    }

    @Test("erasing a profile blanks personal data, frees its email and stops recognizing its card")
    func erase() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUp(SignUpRequest(
            firstName: "Ada", email: "ada@example.com", language: "en", consents: [.profiling: true],
            identifiers: TapIdentifiers(cardUID: "04A1B2C3D4E5F6"), at: t0)).profile.id
        try await store.database.eraseProfile(id: ada, at: t0 + days(1))
        let details = try await store.database.profile(id: ada, at: t0 + days(1))
        #expect(details.profile.isErased)
        #expect(details.profile.firstName.isEmpty && details.profile.email == nil)
        #expect(details.identifiers.isEmpty)
        #expect(details.consents.allSatisfy { !$0.granted })
        #expect(try await store.database.findProfiles(.email("ada@example.com")).isEmpty)
        let tap = try await store.database.tap(TapIdentifiers(cardUID: "04A1B2C3D4E5F6"), at: t0 + days(2))
        #expect(tap.isAnonymous)
        let redeem = await #expect(throws: StoreError.self) {
            try await store.database.redeem(profileId: ada, rewardId: "coffee", deviceId: "till-1")
        }
        #expect(redeem?.code == .profileErased)
        _ = try await store.database.signUpTestProfile(email: "ada@example.com", at: t0 + days(3))
        #expect(try await store.database.check().isConsistent)
    }

    @Test("feedback scores 0–10 are recorded; others are refused", arguments: [-1, 0, 10, 11])
    func feedback(score: Int) async throws {
        let store = try await TestStore()
        if (0...10).contains(score) {
            let feedback = try await store.database.recordFeedback(score: score, comment: "  Lovely staff\nthanks ", language: "fr",
                                                                   kioskDeviceId: "kiosk-1")
            #expect(feedback.score == score)
            #expect(feedback.comment == "Lovely staff\nthanks")
            #expect(try await store.database.pendingOutboxEvents().map(\.type) == [.feedbackRecorded])
        } else {
            let error = await #expect(throws: StoreError.self) {
                try await store.database.recordFeedback(score: score, language: "fr", kioskDeviceId: "kiosk-1")
            }
            #expect(error?.code == .invalidScore)
            #expect(try await store.database.pendingOutboxCount() == 0)
        }
    }
}
