import Foundation
import HeadOffice
import StoreCore
import StoreSync
import SyncProtocol
import Testing

/// Three stores, each on its own SQLite file, syncing over HTTP with one head office on a real PostgreSQL.
@Suite("Three stores and head office", .serialized)
struct ThreeStoresTests {
    @Test("a card tapped in another store greets its owner there with one balance; a shared bank card merges two sign-ups; erasure reaches every store")
    func journey() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let paris = try await TestStore.make("paris", headOffice: hq, url: url)
                let lyon = try await TestStore.make("lyon", headOffice: hq, url: url)
                let lille = try await TestStore.make("lille", headOffice: hq, url: url, batchSize: 3)
                let t0 = Date(timeIntervalSince1970: 1_790_000_000)

                // Paris: Marie signs up with a loyalty card and buys.
                let marie = try await paris.database.signUp(SignUpRequest(
                    firstName: "Marie", email: "marie@example.com", language: "fr", consents: [.marketingEmail: true],
                    identifiers: TapIdentifiers(loyaltyCard: "LC-MARIE"), at: t0))
                let marieId = marie.profile.id
                _ = try await paris.database.recordPurchase(PurchaseRequest(
                    receiptId: "P-1", tillDeviceId: "till-paris", amountMinor: 30_000, currency: "EUR", profileId: marieId,
                    at: t0 + 60))
                try await paris.sync()
                let parisBalance = try await paris.database.balance(profileId: marieId, at: t0 + 120)
                #expect(parisBalance == 50 + 300)
                #expect(try await hq.count("SELECT COALESCE(sum(delta),0)::bigint FROM ledger_entry") == Int(parisBalance))
                #expect(try await paris.database.pendingOutboxCount() == 0, "head office acknowledged every event")

                // Lyon: the card is unknown there; the tap goes to head office, which knows whose it is.
                let first = try await lyon.tap(TapIdentifiers(loyaltyCard: "LC-MARIE"), at: t0 + 3600)
                #expect(first.greeting == nil)
                try await lyon.sync()   // push: the visit and the identifier; pull: Marie, her card, her points
                try await lyon.sync()
                let second = try await lyon.tap(TapIdentifiers(loyaltyCard: "LC-MARIE"), at: t0 + 7200)
                let greeting = try #require(second.greeting, "after sync, Lyon knows the card")
                #expect(greeting.firstName == "Marie" && greeting.profileId == marieId)
                #expect(greeting.points == parisBalance + 5, "Paris's points plus Lyon's visit bonus")
                #expect(try await hq.count("SELECT count(*)::bigint FROM visit WHERE profile_id = '\(marieId)'") == 1,
                        "the anonymous Lyon visit was attributed to Marie at head office")

                // Points earned in Paris are spent in Lyon, and Paris sees it after its next pull.
                _ = try await lyon.database.redeem(profileId: marieId, rewardId: "tote-bag", deviceId: "till-lyon", at: t0 + 7300)
                try await lyon.sync()
                try await paris.sync()
                let afterRedemption = parisBalance + 5 - 250
                #expect(try await lyon.database.balance(profileId: marieId, at: t0 + 7400) == afterRedemption)
                #expect(try await paris.database.balance(profileId: marieId, at: t0 + 7400) == afterRedemption)
                #expect(try await hq.count("SELECT sum(delta)::bigint FROM ledger_entry WHERE profile_id = '\(marieId)'") == Int(afterRedemption))

                // Lille: Marie pays by card and signs up again (small batches: 3 events per push).
                let bankCard = TapIdentifiers(paymentToken: "ptok_marie_visa")
                _ = try await lille.tap(bankCard, at: t0 + 86_400)
                let twin = try await lille.database.signUp(SignUpRequest(
                    firstName: "Marie", lastName: "Curie", email: "m.curie@example.org", language: "fr",
                    identifiers: bankCard, at: t0 + 86_460))
                try await lille.sync()
                #expect(try await hq.count("SELECT count(*)::bigint FROM profile WHERE merged_into IS NULL") == 2)

                // Paris staff add the same bank card to Marie's profile: a verified shared identifier, so one person.
                _ = try await paris.database.bindIdentifier(kind: .paymentToken, value: "ptok_marie_visa", profileId: marieId,
                                                            verified: true, at: t0 + 90_000)
                try await paris.sync()
                #expect(try await hq.count("SELECT count(*)::bigint FROM profile WHERE merged_into IS NULL") == 1)
                #expect(try await hq.strings("SELECT survivor_id::text || ' ' || merged_id::text || ' ' || identifier_kind || ' ' || source FROM profile_merge")
                        == ["\(marieId) \(twin.profile.id) paymentToken store paris"], "the oldest profile survives, and the merge says why")
                #expect(try await hq.strings("SELECT last_name FROM profile WHERE id = '\(marieId)'") == ["Curie"], "gaps filled from the merged profile")

                try await lille.sync()
                try await lille.sync()
                let atLille = try await lille.tap(bankCard, at: t0 + 100_000)
                let lilleGreeting = try #require(atLille.greeting)
                #expect(lilleGreeting.profileId == marieId, "Lille's twin now redirects to the survivor")
                let hqBalance = try await hq.count("SELECT sum(delta)::bigint FROM ledger_entry WHERE profile_id = '\(marieId)'")
                #expect(Int(lilleGreeting.points) == hqBalance + 5, "one balance: every store's points, plus this visit's bonus")
                try await lille.sync()
                for store in [paris, lyon] { try await store.sync() }
                let finalHQ = try await hq.count("SELECT sum(delta)::bigint FROM ledger_entry WHERE profile_id = '\(marieId)'")
                for store in [paris, lyon, lille] {
                    #expect(try await store.database.balance(profileId: marieId, at: t0 + 100_100) == Int64(finalHQ), "\(store.id)")
                }

                // Every event exactly once: head office's counts equal the stores' own sequences.
                for store in [paris, lyon, lille] {
                    let issued = try await store.database.syncState()?.acknowledgedSequence ?? -1
                    #expect(try await hq.count("SELECT count(*)::bigint FROM store_event WHERE store_id = '\(store.id)'") == Int(issued))
                    #expect(try await hq.store(id: store.id)?.acknowledgedSequence == issued)
                }

                // Erasure in Lyon reaches head office, then Paris and Lille.
                try await lyon.database.eraseProfile(id: marieId, at: t0 + 200_000)
                try await lyon.sync()
                for store in [paris, lille] { try await store.sync() }
                #expect(try await hq.strings("SELECT count(*)::text FROM profile WHERE first_name IS NOT NULL OR email IS NOT NULL OR last_name IS NOT NULL") == ["0"])
                #expect(try await hq.count("SELECT count(*)::bigint FROM identifier") == 0, "no card, token or email left at head office")
                #expect(try await hq.count("SELECT count(*)::bigint FROM store_event WHERE payload::text LIKE '%Marie%' OR payload::text LIKE '%example.%' OR payload::text LIKE '%ptok_marie%' OR payload::text LIKE '%LC-MARIE%'") == 0,
                        "the stored events no longer carry her data")
                for store in [paris, lyon, lille] {
                    let details = try await store.database.profile(id: marieId, at: t0 + 200_100)
                    #expect(details.profile.isErased && details.profile.firstName.isEmpty && details.profile.email == nil, "\(store.id)")
                    #expect(try await store.database.identifier(kind: .loyaltyCard, value: "LC-MARIE")?.profileId == nil, "\(store.id)")
                }
                #expect(try await hq.count("SELECT count(*)::bigint FROM visit") == 4, "visits stay, anonymized, for the reports")
            }
        }
    }
}
