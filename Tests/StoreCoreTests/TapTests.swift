import Foundation
import StoreCore
import Testing

@Suite("Tap → visit")
struct TapTests {
    let uidA = "04A1B2C3D4E5F6"
    let uidB = "04112233445566"

    @Test("an unknown tap records an anonymous visit that keeps the identifier")
    func anonymousTap() async throws {
        let store = try await TestStore()
        let outcome = try await store.database.tap(TapIdentifiers(cardUID: "04:a1:b2:c3:d4:e5:f6"), at: t0)
        #expect(outcome.isAnonymous)
        #expect(outcome.isNewVisit)
        #expect(outcome.visit.profileId == nil)
        #expect(outcome.visit.storeId == "store-1")
        #expect(outcome.visitBonus == 0)
        // The same card written differently is the same identifier, so the same visit.
        let again = try await store.database.tap(TapIdentifiers(cardUID: uidA), at: t0 + minutes(5))
        #expect(again.visit.id == outcome.visit.id)
        #expect(!again.isNewVisit)
    }

    @Test("signing up binds the tapped card and its earlier anonymous visits join the profile")
    func signUpJoinsPastVisits() async throws {
        let store = try await TestStore()
        let first = try await store.database.tap(TapIdentifiers(cardUID: uidA), at: t0)
        let second = try await store.database.tap(TapIdentifiers(cardUID: uidA), at: t0 + hours(3))
        #expect(first.visit.id != second.visit.id)
        let other = try await store.database.tap(TapIdentifiers(cardUID: uidB), at: t0)

        let signUp = try await store.database.signUp(SignUpRequest(
            firstName: "Ada", email: "ada@example.com", language: "en",
            identifiers: TapIdentifiers(cardUID: uidA), at: t0 + hours(3) + minutes(1)))
        #expect(signUp.joinedVisits == 2)
        let details = try await store.database.profile(id: signUp.profile.id, at: t0 + hours(4))
        #expect(details.visitCount == 2)
        #expect(details.identifiers.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.cardUID, .email])

        // The other card's visit is untouched, and the card is now recognized.
        let stillAnonymous = try await store.database.tap(TapIdentifiers(cardUID: uidB), at: t0 + minutes(10))
        #expect(stillAnonymous.visit.id == other.visit.id && stillAnonymous.isAnonymous)
        let recognized = try await store.database.tap(TapIdentifiers(cardUID: uidA), at: t0 + days(1))
        #expect(recognized.greeting?.firstName == "Ada")
        #expect(recognized.recognizedBy == .cardUID)
    }

    /// One tap presents two identifiers bound to two different profiles; the stronger kind must win.
    @Test("the strongest proof wins", arguments: [
        (IdentifierKind.sunTag, IdentifierKind.appDevice),
        (.appDevice, .loyaltyCard),
        (.loyaltyCard, .paymentAccountReference),
        (.paymentAccountReference, .paymentToken),
        (.paymentToken, .cardUID),
        (.sunTag, .cardUID),
    ])
    func strongestProofWins(stronger: IdentifierKind, weaker: IdentifierKind) async throws {
        let store = try await TestStore()
        let values: [IdentifierKind: String] = [
            .sunTag: "04AABBCCDDEEFF", .appDevice: "app-7f3c", .loyaltyCard: "LC-000123",
            .paymentAccountReference: "V0010013018123456789012345678", .paymentToken: "tok_9a8b7c", .cardUID: "04000000000001",
        ]
        let strong = try await store.database.signUpTestProfile(email: "strong@example.com")
        let weak = try await store.database.signUpTestProfile(email: "weak@example.com")
        try await store.database.bindIdentifier(kind: stronger, value: try #require(values[stronger]), profileId: strong, verified: true)
        try await store.database.bindIdentifier(kind: weaker, value: try #require(values[weaker]), profileId: weak, verified: true)

        var identifiers = TapIdentifiers()
        for kind in [stronger, weaker] {
            let value = try #require(values[kind])
            switch kind {
            case .sunTag: identifiers.sunTag = SUNTagReading(uid: value, counter: 7)
            case .appDevice: identifiers.appDevice = value
            case .loyaltyCard: identifiers.loyaltyCard = value
            case .paymentAccountReference: identifiers.paymentAccountReference = value
            case .paymentToken: identifiers.paymentToken = value
            case .cardUID: identifiers.cardUID = value
            default: Issue.record("not a tap kind")
            }
        }
        let outcome = try await store.database.tap(identifiers, at: t0 + hours(1))
        #expect(outcome.greeting?.profileId == strong)
        #expect(outcome.recognizedBy == stronger)
        let conflict = try #require(outcome.conflict)
        #expect(conflict.chosenProfileId == strong)
        #expect(conflict.others == [ConflictingMatch(profileId: weak, kind: weaker)])

        // The conflict reaches head office as an event, without identifier values.
        let events = try await store.database.pendingOutboxEvents()
        let conflictEvent = try #require(events.first { $0.type == .identityConflict })
        for value in values.values { #expect(!conflictEvent.payload.contains(value)) }
    }

    @Test("a weaker unknown identifier beside a known strong one is neither a conflict nor bound")
    func noGuessing() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile()
        try await store.database.bindIdentifier(kind: .loyaltyCard, value: "LC-1", profileId: ada, verified: true)
        let outcome = try await store.database.tap(TapIdentifiers(cardUID: uidA, loyaltyCard: "LC-1"), at: t0 + hours(1))
        #expect(outcome.greeting?.profileId == ada)
        #expect(outcome.conflict == nil)
        let details = try await store.database.profile(id: ada, at: t0 + hours(1))
        #expect(!details.identifiers.contains { $0.kind == .cardUID })
    }

    @Test("taps within the visit window are one visit; after it, a new visit", arguments: [
        (minutes(29), false), (minutes(31), true),
    ])
    func visitWindow(gap: TimeInterval, isNew: Bool) async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile(identifiers: TapIdentifiers(cardUID: uidA))
        let first = try await store.database.tap(TapIdentifiers(cardUID: uidA), at: t0 + hours(1))
        let second = try await store.database.tap(TapIdentifiers(cardUID: uidA), at: t0 + hours(1) + gap)
        #expect(first.greeting?.profileId == ada)
        #expect(second.isNewVisit == isNew)
        #expect((second.visit.id != first.visit.id) == isNew)
    }

    @Test("the visit window is configurable")
    func configurableWindow() async throws {
        let store = try await TestStore(rules: try LoyaltyRules(visitWindowMinutes: 5))
        let first = try await store.database.tap(TapIdentifiers(cardUID: uidA), at: t0)
        let second = try await store.database.tap(TapIdentifiers(cardUID: uidA), at: t0 + minutes(6))
        #expect(first.visit.id != second.visit.id)
    }

    @Test("the visit bonus is granted at most once per cooldown")
    func visitBonusCooldown() async throws {
        let store = try await TestStore()  // visit bonus 5, cooldown 24 h, sign-up bonus 50
        let ada = try await store.database.signUpTestProfile(identifiers: TapIdentifiers(cardUID: uidA))
        let morning = try await store.database.tap(TapIdentifiers(cardUID: uidA), at: t0 + hours(9))
        let afternoon = try await store.database.tap(TapIdentifiers(cardUID: uidA), at: t0 + hours(15))
        let nextDay = try await store.database.tap(TapIdentifiers(cardUID: uidA), at: t0 + hours(33))
        #expect(morning.visitBonus == 5)
        #expect(afternoon.isNewVisit && afternoon.visitBonus == 0)
        #expect(nextDay.visitBonus == 5)
        #expect(nextDay.greeting?.points == 60)
        #expect(try await store.database.balance(profileId: ada, at: t0 + hours(34)) == 60)
    }

    @Test("the greeting carries first name, points, tier and affordable rewards")
    func greeting() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile(identifiers: TapIdentifiers(cardUID: uidA))
        _ = try await store.database.recordPurchase(PurchaseRequest(
            receiptId: "R-1", tillDeviceId: "till-1", amountMinor: 60_000, currency: "EUR", profileId: ada, at: t0 + hours(1)))
        let outcome = try await store.database.tap(TapIdentifiers(cardUID: uidA), at: t0 + hours(2))
        let greeting = try #require(outcome.greeting)
        #expect(greeting.firstName == "Ada")
        #expect(greeting.points == 50 + 600 + 5)
        #expect(greeting.tier == "Silver")
        #expect(greeting.affordableRewards.map(\.id) == ["coffee", "tote-bag", "voucher-10"])
    }

    @Test("a SUN tag whose counter does not grow is a replay and proves nothing")
    func sunReplay() async throws {
        let store = try await TestStore()
        let sunUID = "04AABBCCDDEEFF"
        let ada = try await store.database.signUpTestProfile()
        try await store.database.bindIdentifier(kind: .sunTag, value: sunUID, profileId: ada, verified: true)
        let fresh = try await store.database.tap(TapIdentifiers(sunTag: SUNTagReading(uid: sunUID, counter: 10)), at: t0 + hours(1))
        #expect(fresh.greeting?.profileId == ada)

        let error = await #expect(throws: StoreError.self) {
            try await store.database.tap(TapIdentifiers(sunTag: SUNTagReading(uid: sunUID, counter: 10)), at: t0 + hours(2))
        }
        #expect(error?.code == .replayedTap)

        // With another identifier the tap still counts, but not as Ada.
        let withCard = try await store.database.tap(
            TapIdentifiers(cardUID: uidB, sunTag: SUNTagReading(uid: sunUID, counter: 9)), at: t0 + hours(3))
        #expect(withCard.isAnonymous)
        #expect(withCard.rejectedProofs == [.sunTag])

        let next = try await store.database.tap(TapIdentifiers(sunTag: SUNTagReading(uid: sunUID, counter: 11)), at: t0 + hours(4))
        #expect(next.greeting?.profileId == ada)
    }

    @Test("malformed or empty taps change nothing", arguments: [
        TapIdentifiers(), TapIdentifiers(cardUID: "XYZ"), TapIdentifiers(cardUID: "04A1B2"),
        TapIdentifiers(paymentAccountReference: "short"), TapIdentifiers(loyaltyCard: "has space"),
        TapIdentifiers(cardUID: "04A1B2C3D4E5F6", appDevice: ""),
    ])
    func malformedTaps(identifiers: TapIdentifiers) async throws {
        let store = try await TestStore()
        await #expect(throws: StoreError.self) { try await store.database.tap(identifiers, at: t0) }
        #expect(try await store.database.pendingOutboxCount() == 0)
    }
}
