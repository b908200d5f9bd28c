import Foundation
import StoreCore
import Testing

@Suite("Redemption and expiry")
struct RedemptionTests {
    /// Ada with exactly 100 points: 50 for signing up, 50 for a 50.00 € purchase.
    func storeWithHundredPoints() async throws -> (TestStore, String) {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile()
        _ = try await store.database.recordPurchase(PurchaseRequest(
            receiptId: "R-1", tillDeviceId: "till-1", amountMinor: 5000, currency: "EUR", profileId: ada, at: t0 + hours(1)))
        return (store, ada)
    }

    @Test("redeeming debits the cost; too few points is a clear refusal that changes nothing")
    func redeem() async throws {
        let (store, ada) = try await storeWithHundredPoints()
        let error = await #expect(throws: StoreError.self) {
            try await store.database.redeem(profileId: ada, rewardId: "tote-bag", deviceId: "till-1", at: t0 + hours(2))
        }
        #expect(error?.code == .insufficientPoints)
        #expect(error?.message == "balance 100 < cost 250 of Tote bag")
        let outcome = try await store.database.redeem(profileId: ada, rewardId: "coffee", deviceId: "till-1", at: t0 + hours(2))
        #expect(outcome.balance == 0)
        #expect(outcome.redemption.cost == 100)
        #expect(try await store.database.balance(profileId: ada, at: t0 + hours(3)) == 0)
    }

    @Test("unknown rewards and profiles are refused", arguments: [
        ("coffee", "0190a000-0000-7000-8000-000000000000", StoreError.Code.unknownProfile),
        ("caviar", "", .unknownReward),
    ])
    func unknownThings(reward: String, profile: String, code: StoreError.Code) async throws {
        let (store, ada) = try await storeWithHundredPoints()
        let error = await #expect(throws: StoreError.self) {
            try await store.database.redeem(profileId: profile.isEmpty ? ada : profile, rewardId: reward, deviceId: "till-1")
        }
        #expect(error?.code == code)
    }

    @Test("eight tasks redeeming the last points at once: exactly one succeeds", arguments: [1, 2])
    func concurrentRedemption(connections: Int) async throws {
        let (store, ada) = try await storeWithHundredPoints()
        // With two connections this is two tills in two processes: two pools on one file, SQLite's locks decide.
        var databases = [store.database]
        if connections == 2 {
            databases.append(try await StoreDatabase.open(path: store.path, options: .init(storeId: "store-1")))
        }
        let results = await withTaskGroup(of: Result<Int64, StoreError>.self) { group in
            for index in 0..<8 {
                let database = databases[index % databases.count]
                group.addTask {
                    do {
                        let outcome = try await database.redeem(profileId: ada, rewardId: "coffee", deviceId: "till-\(index)",
                                                                at: t0 + hours(2))
                        return .success(outcome.balance)
                    } catch let error as StoreError {
                        return .failure(error)
                    } catch {
                        return .failure(StoreError(.invalidArgument, "unexpected \(error)"))
                    }
                }
            }
            var collected: [Result<Int64, StoreError>] = []
            for await result in group { collected.append(result) }
            return collected
        }
        let successes = results.compactMap { try? $0.get() }
        let failures = results.compactMap { if case .failure(let error) = $0 { error } else { nil } }
        #expect(successes == [0])
        #expect(failures.count == 7)
        #expect(failures.allSatisfy { $0.code == .insufficientPoints && $0.message == "balance 0 < cost 100 of Free coffee" })
        #expect(try await store.database.balance(profileId: ada, at: t0 + hours(3)) == 0)
        #expect(try await store.database.check().isConsistent)
    }

    @Test("expired points leave the balance; debits use the soonest-expiring points first")
    func expiry() async throws {
        let rules = try LoyaltyRules(visitBonus: 0, pointsExpiryMonths: 12)
        let store = try await TestStore(rules: rules)
        let month = days(30.5)
        let ada = try await store.database.signUpTestProfile(identifiers: TapIdentifiers(cardUID: "04A1B2C3D4E5F6"))  // 50, expires t0+12mo
        _ = try await store.database.recordPurchase(PurchaseRequest(
            receiptId: "R-1", tillDeviceId: "till-1", amountMinor: 10_000, currency: "EUR", profileId: ada,
            at: t0 + 6 * month))  // 100, expires t0+18mo
        _ = try await store.database.redeem(profileId: ada, rewardId: "coffee", deviceId: "till-1", at: t0 + 7 * month)
        // The coffee took the 50 sign-up points and 50 of the purchase's: nothing left to expire at 12 months.
        #expect(try await store.database.balance(profileId: ada, at: t0 + 13 * month) == 50)
        // At 18 months the purchase's remaining 50 expire. Read-only balance already excludes them …
        #expect(try await store.database.balance(profileId: ada, at: t0 + 19 * month) == 0)
        // … and the next write records them in the ledger, so the balance stays the ledger's sum.
        let visit = try await store.database.tap(TapIdentifiers(cardUID: "04A1B2C3D4E5F6"), at: t0 + 19 * month)
        #expect(visit.greeting?.points == 0)
        let details = try await store.database.profile(id: ada, at: t0 + 19 * month)
        let expiry = try #require(details.recentLedger.first { $0.reason == .expiry })
        #expect(expiry.delta == -50)
        #expect(details.recentLedger.reduce(0) { $0 + $1.delta } == 0)
        // Writing it twice would be a bug: a second write finds nothing more to expire.
        _ = try await store.database.tap(TapIdentifiers(cardUID: "04A1B2C3D4E5F6"), at: t0 + 20 * month)
        let later = try await store.database.profile(id: ada, at: t0 + 20 * month)
        #expect(later.recentLedger.filter { $0.reason == .expiry }.count == 1)
        #expect(try await store.database.check().isConsistent)
    }

    @Test("tiers follow rolling twelve-month points")
    func rollingTier() async throws {
        let store = try await TestStore(rules: try LoyaltyRules(pointsExpiryMonths: nil))
        let ada = try await store.database.signUpTestProfile()
        _ = try await store.database.recordPurchase(PurchaseRequest(
            receiptId: "R-1", tillDeviceId: "till-1", amountMinor: 200_000, currency: "EUR", profileId: ada, at: t0 + days(1)))
        #expect(try await store.database.profile(id: ada, at: t0 + days(2)).tier == "Gold")
        #expect(try await store.database.profile(id: ada, at: t0 + days(400)).tier == "Bronze")
        #expect(try await store.database.profile(id: ada, at: t0 + days(400)).balance == 2050)
    }
}
