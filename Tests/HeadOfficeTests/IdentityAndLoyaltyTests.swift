import Foundation
import HeadOffice
import StoreCore
import StoreSync
import SyncProtocol
import Testing

@Suite("Identity resolution and chain loyalty", .serialized)
struct IdentityAndLoyaltyTests {
    static func events(_ store: TestStore) async throws -> [SyncEvent] {
        try await store.database.pendingOutboxEvents(limit: 5000).map { event in
            SyncEvent(outbox: event)
        }
    }

    @Test("two stores binding one bank card to their own sign-ups at the same moment end with one profile, one alias and one merge", arguments: 0..<5)
    func concurrentMerges(round: Int) async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let none = URL(string: "http://127.0.0.1:9")!
            let a = try await TestStore.make("a\(round)", headOffice: hq, url: none)
            let b = try await TestStore.make("b\(round)", headOffice: hq, url: none)
            let c = try await TestStore.make("c\(round)", headOffice: hq, url: none)
            let t0 = Date(timeIntervalSince1970: 1_790_000_000)
            var ids: [String] = []
            for (offset, store) in [a, b, c].enumerated() {
                ids.append(try await store.database.signUp(SignUpRequest(
                    firstName: "Ana", email: "ana\(offset)@example.com", language: "fr", at: t0 + Double(offset))).profile.id)
            }
            // Everyone knows the profiles first, then the three bindings of the same token race.
            for store in [a, b, c] {
                _ = try await hq.ingest(PushBatch(storeId: store.id, events: try await Self.events(store)), authenticatedStore: store.id)
                try await store.database.acknowledgeOutbox(through: try await store.database.totals().highestSequence)
            }
            for (index, store) in [a, b, c].enumerated() {
                _ = try await store.database.bindIdentifier(kind: .paymentToken, value: "ptok_shared", profileId: ids[index], verified: true, at: t0 + 60)
                _ = try await store.database.recordPurchase(PurchaseRequest(receiptId: "R", tillDeviceId: "till", amountMinor: 10_000,
                                                                            currency: "EUR", profileId: ids[index], at: t0 + 61))
            }
            let batches = try await [a, b, c].asyncMap { PushBatch(storeId: $0.id, events: try await Self.events($0)) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in batches {
                    group.addTask { _ = try await hq.ingest(batch, authenticatedStore: batch.storeId) }
                }
                try await group.waitForAll()
            }
            #expect(try await hq.count("SELECT count(*)::bigint FROM profile WHERE merged_into IS NULL") == 1)
            #expect(try await hq.strings("SELECT id::text FROM profile WHERE merged_into IS NULL") == [ids[0]], "the oldest survives")
            #expect(try await hq.count("SELECT count(*)::bigint FROM profile_alias WHERE survivor_id = '\(ids[0])'") == 2)
            #expect(try await hq.count("SELECT count(*)::bigint FROM profile_merge") == 2)
            #expect(try await hq.count("SELECT count(*)::bigint FROM purchase WHERE profile_id = '\(ids[0])'") == 3)
            #expect(try await hq.count("SELECT sum(delta)::bigint FROM ledger_entry WHERE profile_id = '\(ids[0])'") == 3 * (50 + 100),
                    "every sign-up bonus and purchase, on one balance")
            #expect(try await hq.count("SELECT count(*)::bigint FROM identifier WHERE profile_id <> '\(ids[0])'") == 0)
        }
    }

    @Test("the same typed email in two stores never merges: a typed email is not verified")
    func unverifiedNeverMerges() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let none = URL(string: "http://127.0.0.1:9")!
            let a = try await TestStore.make("a", headOffice: hq, url: none)
            let b = try await TestStore.make("b", headOffice: hq, url: none)
            for store in [a, b] {
                _ = try await store.database.signUp(SignUpRequest(firstName: "Léa", email: "lea@example.com", language: "fr"))
                _ = try await hq.ingest(PushBatch(storeId: store.id, events: try await Self.events(store)), authenticatedStore: store.id)
            }
            #expect(try await hq.count("SELECT count(*)::bigint FROM profile WHERE merged_into IS NULL") == 2)
            #expect(try await hq.count("SELECT count(*)::bigint FROM profile_merge") == 0)
        }
    }

    @Test("two stores spending the same points offline: head office's balance shows it and flags the overdraft beyond the allowance")
    func overdraft() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let paris = try await TestStore.make("paris", headOffice: hq, url: url)
                let lyon = try await TestStore.make("lyon", headOffice: hq, url: url)
                try await hq.setRedemptionAllowance(storeId: "lyon", points: 100)
                let t0 = Date(timeIntervalSince1970: 1_790_000_000)
                let marie = try await paris.database.signUp(SignUpRequest(firstName: "Marie", email: "m@example.com", language: "fr",
                                                                          identifiers: TapIdentifiers(loyaltyCard: "LC-M"), at: t0))
                _ = try await paris.database.recordPurchase(PurchaseRequest(receiptId: "P", tillDeviceId: "till", amountMinor: 30_000,
                                                                            currency: "EUR", profileId: marie.profile.id, at: t0 + 10))
                try await paris.sync()
                _ = try await lyon.tap(TapIdentifiers(loyaltyCard: "LC-M"), at: t0 + 3600)
                try await lyon.sync()
                try await lyon.sync()
                // Both stores now see 350 and spend them offline, without hearing of each other.
                _ = try await paris.database.redeem(profileId: marie.profile.id, rewardId: "tote-bag", deviceId: "till", at: t0 + 7200)
                _ = try await lyon.database.redeem(profileId: marie.profile.id, rewardId: "tote-bag", deviceId: "till", at: t0 + 7201)
                _ = try await lyon.database.redeem(profileId: marie.profile.id, rewardId: "coffee", deviceId: "till", at: t0 + 7202)
                try await paris.sync()
                try await lyon.sync()
                let balance = try await hq.count("SELECT sum(delta)::bigint FROM ledger_entry WHERE profile_id = '\(marie.profile.id)'")
                #expect(balance == 350 - 250 - 250 - 100)
                let flagged = try await hq.overdrafts()
                #expect(flagged.map(\.storeId) == ["lyon", "lyon"], "Paris spent first: its redemption is covered")
                #expect(flagged.map(\.overdraft) == [250, 150], "beyond Lyon's 100-point allowance: the tote bag, then the coffee")
            }
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

@Suite("Revoked cards", .serialized)
struct RevocationTests {
    @Test("a card revoked at head office stops identifying its owner in every store, even one that never saw her")
    func revokedCard() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let paris = try await TestStore.make("paris", headOffice: hq, url: url)
                let lyon = try await TestStore.make("lyon", headOffice: hq, url: url)
                let marie = try await paris.database.signUp(SignUpRequest(firstName: "Marie", email: "m@example.com", language: "fr",
                                                                          identifiers: TapIdentifiers(loyaltyCard: "LC-LOST")))
                try await paris.sync()
                #expect(try await paris.tap(TapIdentifiers(loyaltyCard: "LC-LOST")).greeting?.profileId == marie.profile.id)
                try await hq.revokeIdentifier(kind: "loyaltyCard", value: "LC-LOST")
                await #expect(throws: HeadOfficeError.self) { try await hq.revokeIdentifier(kind: "loyaltyCard", value: "LC-NEVER") }
                for store in [paris, lyon] { try await store.sync() }
                #expect(try await paris.tap(TapIdentifiers(loyaltyCard: "LC-LOST"), at: Date() + 7200).greeting == nil)
                #expect(try await lyon.tap(TapIdentifiers(loyaltyCard: "LC-LOST")).greeting == nil)
                try await lyon.sync()
                #expect(try await hq.count("SELECT count(*)::bigint FROM visit WHERE profile_id IS NOT NULL AND store_id = 'lyon'") == 0,
                        "a revoked card's visit is attributed to nobody at head office either")
                // Someone signs up in Lyon with the revoked card: a new customer, never merged into Marie.
                _ = try await lyon.database.signUp(SignUpRequest(firstName: "Thief", email: "t@example.com", language: "fr",
                                                                 identifiers: TapIdentifiers(loyaltyCard: "LC-LOST")))
                try await lyon.sync()
                #expect(try await hq.count("SELECT count(*)::bigint FROM profile_merge") == 0)
                #expect(try await hq.count("SELECT count(*)::bigint FROM profile WHERE merged_into IS NULL") == 2)
            }
        }
    }
}

@Suite("The chain's reward catalog", .serialized)
struct RewardCatalogTests {
    @Test("a catalog set at head office reaches the stores, survives their restart over the local rules, and refuses bad rewards")
    func catalog() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let store = try await TestStore.make("paris", headOffice: hq, url: url)
                #expect(try await store.database.rewards().map(\.id).contains("coffee"), "before: the rules' catalog")
                try await hq.setReward(CatalogReward(id: "scarf", name: "Silk scarf", cost: 800))
                try await hq.setReward(CatalogReward(id: "macaron", name: "Macaron", cost: 40))
                try await hq.setReward(CatalogReward(id: "macaron", name: "Macarons ×2", cost: 60))
                try await store.sync()
                let active = try await store.database.rewards().filter(\.active)
                #expect(active.map(\.id).sorted() == ["macaron", "scarf"])
                #expect(active.first { $0.id == "macaron" }?.cost == 60)

                let reopened = try await StoreDatabase.open(path: store.database.path, options: .init(storeId: "paris"))
                #expect(try await reopened.rewards().filter(\.active).map(\.id).sorted() == ["macaron", "scarf"],
                        "the rules file no longer overrides head office's catalog")

                for (reward, message) in [(CatalogReward(id: "Bad Id", name: "x", cost: 1), "reward id"),
                                          (CatalogReward(id: "free", name: "Free", cost: 0), "cost")] {
                    let error = await #expect(throws: HeadOfficeError.self) { try await hq.setReward(reward) }
                    #expect(error?.description.contains(message) == true)
                }
                #expect(try await hq.rewards().count == 2)
            }
        }
    }
}
