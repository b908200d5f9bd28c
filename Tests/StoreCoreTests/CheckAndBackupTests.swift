import Foundation
import GRDB
import StoreCore
import Testing

@Suite("Consistency check and backup")
struct CheckAndBackupTests {
    @Test("a healthy store checks clean")
    func healthy() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile()
        _ = try await store.database.recordPurchase(PurchaseRequest(
            receiptId: "R-1", tillDeviceId: "till-1", amountMinor: 10_000, currency: "EUR", profileId: ada, at: t0 + hours(1)))
        let report = try await store.database.check()
        #expect(report.integrity == ["ok"])
        #expect(report.isConsistent)
        #expect(report.profileCount == 1)
        #expect(report.ledgerEntryCount == 2)
        #expect(report.highestSequence == Int64(report.outboxCount))
    }

    @Test("the check finds a lost ledger entry, a doubled one and an outbox gap")
    func findsDamage() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile()
        _ = try await store.database.recordPurchase(PurchaseRequest(
            receiptId: "R-1", tillDeviceId: "till-1", amountMinor: 10_000, currency: "EUR", profileId: ada, at: t0 + hours(1)))
        _ = try await store.database.redeem(profileId: ada, rewardId: "coffee", deviceId: "till-1", at: t0 + hours(2))
        let queue = try DatabaseQueue(path: store.path)
        try await queue.write { db in
            // Damage that only bypassing the API can do: a doubled purchase credit and a hole in the outbox.
            try db.execute(sql: """
                INSERT INTO ledgerEntry (id, profileId, delta, reason, reference, at)
                VALUES ('forged', ?, 100, 'purchase', NULL, '2026-01-01 05:00:00.000')
                """, arguments: [ada])
            try db.execute(sql: "DELETE FROM outbox WHERE sequence IN (3, 4)")
            try db.execute(sql: "DELETE FROM redemption")
        }
        try queue.close()
        let report = try await store.database.check()
        #expect(!report.isConsistent)
        #expect(Set(report.ledgerMismatches.map(\.reason)) == [.purchase, .redemption])
        let purchase = try #require(report.ledgerMismatches.first { $0.reason == .purchase })
        #expect(purchase.ledgerSum == 200 && purchase.recordSum == 100)
        #expect(report.outboxGaps == [ConsistencyReport.SequenceGap(from: 3, to: 4)])
    }

    @Test("an online backup taken while tills write is consistent and opens as a store")
    func backupWhileWriting() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile()
        let writer = Task {
            for index in 0..<150 {
                _ = try await store.database.recordPurchase(PurchaseRequest(
                    receiptId: "R-\(index)", tillDeviceId: "till-1", amountMinor: 1000, currency: "EUR", profileId: ada,
                    at: t0 + hours(1)))
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        let backupPath = store.directory.path("backups/store-copy.sqlite")
        try await store.database.backup(to: backupPath)
        try await writer.value

        let copy = try await StoreDatabase.open(path: backupPath, options: .init(storeId: "store-1"))
        let report = try await copy.check()
        #expect(report.isConsistent, "\(report)")
        let copied = try await copy.balance(profileId: ada, at: t0 + hours(2))
        // Every purchase in the copy has its 10 points: the snapshot never splits a transaction.
        #expect((copied - 50) % 10 == 0)
        #expect(copied <= 50 + 1500)
        #expect(try await store.database.balance(profileId: ada, at: t0 + hours(2)) == 1550)

        let again = await #expect(throws: StoreError.self) { try await store.database.backup(to: backupPath) }
        #expect(again?.code == .backupFailed)
    }

    @Test("a database belongs to one store")
    func storeBinding() async throws {
        let store = try await TestStore(storeId: "paris-01")
        let mismatch = await #expect(throws: StoreError.self) {
            try await StoreDatabase.open(path: store.path, options: .init(storeId: "lyon-02"))
        }
        #expect(mismatch?.code == .storeMismatch)
        let reopened = try await StoreDatabase.open(path: store.path)
        #expect(reopened.storeId == "paris-01")
        let directory = try TemporaryDirectory()
        let missing = await #expect(throws: StoreError.self) {
            try await StoreDatabase.open(path: directory.path("new.sqlite"))
        }
        #expect(missing?.code == .storeIdRequired)
    }
}
