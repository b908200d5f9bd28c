import Foundation
import HeadOffice
import StoreCore
import SyncProtocol
import Testing

@Suite("The chain's loyalty rules", .serialized)
struct ChainLoyaltyRulesTests {
    /// A rules file as head office takes it: `config/loyalty.json` less its rewards.
    static func rulesJSON(_ changes: [String: Any] = [:], removing: [String] = []) throws -> Data {
        var fields: [String: Any] = [
            "currency": "EUR", "pointsPerUnit": 2, "rounding": "down", "signUpBonus": 10, "visitBonus": 0,
            "visitBonusCooldownHours": 24, "visitWindowMinutes": 30, "tierWindowMonths": 12,
            "tiers": [["name": "Classic", "threshold": 0], ["name": "Premium", "threshold": 300]],
            "pointsExpiryMonths": NSNull(),
        ]
        for (key, value) in changes { fields[key] = value }
        for key in removing { fields.removeValue(forKey: key) }
        return try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    }

    @Test("rules set at head office reach the store, replace its file's earning rules at once and across a restart, and apply idempotently")
    func distributed() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let store = try await TestStore.make("paris", headOffice: hq, url: url)
                #expect(try await hq.loyaltyRules() == nil)
                let before = try await store.database.signUp(SignUpRequest(firstName: "Ana", email: "ana@example.com", language: "fr"))
                #expect(before.signUpBonus == 50, "the file's (default) rules until head office sends its own")

                try await hq.setLoyaltyRules(json: try Self.rulesJSON())
                try await store.sync()
                #expect(try await store.database.headOfficeStanding().rulesFromHeadOffice)
                let marie = try await store.database.signUp(SignUpRequest(firstName: "Marie", email: "marie@example.com", language: "fr"))
                #expect(marie.signUpBonus == 10)
                #expect(marie.profile.tier == "Classic")
                let purchase = try await store.database.recordPurchase(PurchaseRequest(
                    receiptId: "R1", tillDeviceId: "till", amountMinor: 15_000, currency: "EUR", profileId: marie.profile.id))
                #expect(purchase.pointsEarned == 300, "2 points per euro")
                #expect(purchase.tier == "Premium")

                // A restart with the file's rules keeps head office's.
                let reopened = try await StoreDatabase.open(path: store.database.path, options: .init(storeId: "paris"))
                #expect(reopened.rules.pointsPerUnit == 2)
                #expect(reopened.rules.pointsExpiryMonths == nil)
                #expect(reopened.rules.rewards.map(\.id) == LoyaltyRules.default.rewards.map(\.id), "rewards still come from the file (or the catalog)")

                // The same change applied twice is the same as once; newer rules replace older ones.
                let received = reopened.rules
                let cursor = try #require(try await reopened.syncState()?.inboundCursor)
                try await reopened.applyHeadOfficeChanges([.loyaltyRules(received), .loyaltyRules(received)], cursor: cursor)
                #expect(reopened.rules == received)
                try await hq.setLoyaltyRules(json: try Self.rulesJSON(["pointsPerUnit": 0.5, "signUpBonus": 0]))
                let (shown, _) = try #require(try await hq.loyaltyRules())
                #expect(shown.pointsPerUnit == 0.5)
                try await store.sync()
                #expect(store.database.rules.pointsPerUnit == 0.5)
                #expect(store.database.rules.signUpBonus == 0)
            }
        }
    }

    @Test("the 360° view ranks the customer as the store does, by the chain's rules over the rolling window, and has no tier without chain rules")
    func tierInCustomerView() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let store = try await TestStore.make("paris", headOffice: hq, url: url)
                let ana = try await store.database.signUp(SignUpRequest(firstName: "Ana", email: "ana@example.com", language: "fr"))
                try await store.sync()
                let anaView = try await hq.customerView(id: try #require(UUID(uuidString: ana.profile.id)))
                #expect(anaView.loyalty.tier == nil, "each store ranks by its own file: head office cannot say")

                try await hq.setLoyaltyRules(json: try Self.rulesJSON())  // 2 points per euro, sign-up 10, Premium at 300
                try await store.sync()
                let marie = try await store.database.signUp(SignUpRequest(firstName: "Marie", email: "marie@example.com", language: "fr"))
                let longAgo = Date().addingTimeInterval(-400 * 86_400)
                _ = try await store.database.recordPurchase(PurchaseRequest(
                    receiptId: "R0", tillDeviceId: "till", amountMinor: 10_000, currency: "EUR", profileId: marie.profile.id, at: longAgo))
                _ = try await store.database.recordPurchase(PurchaseRequest(
                    receiptId: "R1", tillDeviceId: "till", amountMinor: 5_000, currency: "EUR", profileId: marie.profile.id))
                try await store.sync()
                let id = try #require(UUID(uuidString: marie.profile.id))
                let atStore = try await store.database.profile(id: marie.profile.id)
                let tier = try #require(try await hq.customerView(id: id).loyalty.tier)
                #expect(atStore.tier == "Classic" && atStore.rollingPoints == 110, "the purchase of 13 months ago is outside the window")
                #expect(tier.name == "Classic" && tier.rollingPoints == 110 && tier.windowMonths == 12)
                #expect(tier.nextTier == "Premium" && tier.pointsToNextTier == 190)
                #expect(try await hq.customerView(id: id).loyalty.balance == 310, "the old points still count in the balance")

                _ = try await store.database.recordPurchase(PurchaseRequest(
                    receiptId: "R2", tillDeviceId: "till", amountMinor: 10_000, currency: "EUR", profileId: marie.profile.id))
                try await store.sync()
                let premium = try #require(try await hq.customerView(id: id).loyalty.tier)
                #expect(try await store.database.profile(id: marie.profile.id).tier == "Premium")
                #expect(premium.name == "Premium" && premium.rollingPoints == 310 && premium.nextTier == nil && premium.pointsToNextTier == nil)
            }
        }
    }

    @Test("bad rules are refused with the field named, the rules in force stay, and the store's own checks agree")
    func refused() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await hq.setLoyaltyRules(json: try Self.rulesJSON())
            let cases: [(Data, String)] = [
                (try Self.rulesJSON(["pointsPerUnit": -1]), "loyalty.pointsPerUnit must be > 0"),
                (try Self.rulesJSON(["pointsPerUnit": 1.0000001]), "loyalty.pointsPerUnit must have at most 6 decimals"),
                (try Self.rulesJSON(["rounding": "sideways"]), "loyalty.rounding must be one of"),
                (try Self.rulesJSON(["signUpBonus": -5]), "loyalty.signUpBonus"),
                (try Self.rulesJSON(["visitWindowMinutes": 0]), "loyalty.visitWindowMinutes"),
                (try Self.rulesJSON(["tierWindowMonths": 121]), "loyalty.tierWindowMonths"),
                (try Self.rulesJSON(["tiers": [["name": "Classic", "threshold": 0], ["name": "Premium", "threshold": 0]]]),
                 "loyalty.tiers[1].threshold must be greater"),
                (try Self.rulesJSON(["tiers": [["name": "Classic", "threshold": 10]]]), "loyalty.tiers[0].threshold must be 0"),
                (try Self.rulesJSON(["pointsExpiryMonths": 0]), "loyalty.pointsExpiryMonths must be between 1 and 240"),
                (try Self.rulesJSON(["currency": "euro"]), "loyalty.currency"),
                (try Self.rulesJSON(["visitBonus": "5"]), "loyalty.visitBonus must be a whole number"),
                (try Self.rulesJSON(removing: ["pointsExpiryMonths"]), "loyalty.pointsExpiryMonths is missing"),
                (try Self.rulesJSON(removing: ["tiers"]), "loyalty.tiers is missing"),
                (try Self.rulesJSON(["pointsPerEuro": 1]), "loyalty.pointsPerEuro is not a known key"),
                (try Self.rulesJSON(["rewards": [] as [Any]]), "hq reward set"),
                (Data("{\"currency\": ".utf8), "not valid JSON"),
            ]
            for (json, message) in cases {
                let error = await #expect(throws: HeadOfficeError.self) { try await hq.setLoyaltyRules(json: json) }
                #expect(error?.description.contains(message) == true, "\(error?.description ?? "accepted") should say \(message)")
                // A rules file a store would read (with a reward list) is refused by the store too, naming the same key.
                if !message.contains("hq reward"), !message.contains("not a known key"), !message.contains("JSON") {
                    var fields = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
                    fields["rewards"] = [] as [Any]
                    let storeFile = try JSONSerialization.data(withJSONObject: fields)
                    let storeError = #expect(throws: StoreError.self) { try LoyaltyRules(json: storeFile) }
                    let key = String(message.split(separator: " ")[0])
                    #expect(storeError?.message.contains(key) == true, "store: \(storeError?.message ?? "accepted") should name \(key)")
                }
            }
            #expect(try await hq.loyaltyRules()?.rules.pointsPerUnit == 2, "nothing stored was changed")
            #expect(try await hq.count("SELECT count(*)::bigint FROM change WHERE kind = 'loyaltyRules'") == 1)
        }
    }
}
