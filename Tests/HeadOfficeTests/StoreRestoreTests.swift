import Foundation
import HeadOffice
import StoreCore
import StoreSync
import SyncProtocol
import Testing

/// `parcours db restore` end to end: a backup taken while the tills write, restored after the store had synced
/// more, and the sync that follows, against a real head office over HTTP.
@Suite("Store restore and the sync after it")
struct StoreRestoreTests {
    @Test("a backup taken during writes, restored after later syncs: db check passes and head office holds every event once")
    func restoreThenResume() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let store = try await TestStore.make("nantes", headOffice: hq, url: url, batchSize: 40)
                let path = store.database.path
                let ada = try await store.database.signUp(SignUpRequest(firstName: "Ada", email: "ada@example.com", language: "fr")).profile.id
                let database = store.database
                // Tills and the kiosk write while the backup runs.
                let writer = Task {
                    for index in 0..<120 {
                        _ = try await database.recordPurchase(PurchaseRequest(
                            receiptId: "A-\(index)", tillDeviceId: "till-1", amountMinor: 1_000 + Int64(index % 5) * 100,
                            currency: "EUR", profileId: ada))
                        if index % 3 == 0 {
                            _ = try await database.recordTap(Tap(identifiers: TapIdentifiers(cardUID: String(format: "04A1%010X", index)),
                                                                 deviceId: "kiosk-1", reader: "Kiosk Reader 00 00"))
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(40))
                let backup = store.directory.appendingPathComponent("backups/nantes.sqlite").path
                try await database.backup(to: backup)
                try await writer.value
                try await store.sync()
                for index in 0..<30 {
                    _ = try await database.recordPurchase(PurchaseRequest(
                        receiptId: "B-\(index)", tillDeviceId: "till-1", amountMinor: 2_000, currency: "EUR", profileId: ada))
                }
                try await store.sync()
                // Written after the last sync, then the disk dies: these never reach head office.
                for index in 0..<4 {
                    _ = try await database.recordPurchase(PurchaseRequest(
                        receiptId: "C-\(index)", tillDeviceId: "till-1", amountMinor: 3_000, currency: "EUR", profileId: ada))
                }
                let neverSent = try await database.pendingOutboxCount()
                #expect(neverSent == 8, "4 purchases and their ledger entries")
                let headOfficeHighest = try await hq.count("SELECT max(sequence)::bigint FROM store_event WHERE store_id = 'nantes'")
                let headOfficeLedger = try await hq.count("SELECT sum(delta)::bigint FROM ledger_entry WHERE store_id = 'nantes'")
                let receiptsBefore = Set(try await hq.strings("SELECT receipt_id FROM purchase WHERE store_id = 'nantes'"))
                try database.close()

                let report = try await StoreDatabase.restore(backup: backup, over: path, storeId: "nantes")
                #expect(report.storeId == "nantes")
                #expect(report.eventsLost == 8)
                #expect(report.replacedAcknowledgedSequence == Int64(headOfficeHighest))
                #expect(report.eventsOnlyAtHeadOffice == Int64(headOfficeHighest) - report.backupHighestSequence)
                #expect(report.eventsOnlyAtHeadOffice > 60, "the backup was taken early in the writes")
                let safety = try #require(report.safetyCopy)
                #expect(FileManager.default.fileExists(atPath: safety))

                let restored = try await StoreDatabase.open(path: path, options: .init(storeId: "nantes", synchronous: .normal))
                let afterRestore = try await restored.check()
                #expect(afterRestore.isConsistent, "\(afterRestore)")
                #expect(try await restored.restoredThroughSequence() == report.backupHighestSequence)
                let backupBalance = try await restored.balance(profileId: ada)

                // The store serves at once, before it has heard from head office: these events take numbers that
                // head office already holds for the events the restore took away.
                for index in 0..<10 {
                    _ = try await restored.recordPurchase(PurchaseRequest(
                        receiptId: "D-\(index)", tillDeviceId: "till-1", amountMinor: 1_500, currency: "EUR", profileId: ada))
                    _ = try await restored.recordTap(Tap(identifiers: TapIdentifiers(cardUID: String(format: "04D1%010X", index)),
                                                         deviceId: "kiosk-1", reader: "Kiosk Reader 00 00"))
                }
                let link = try HeadOfficeLink(url: url, credential: store.credential, batchSize: 40, pageSize: 50)
                let engine = SyncEngine(database: restored, client: HeadOfficeClient(link: link), logger: HeadOfficeHarness.quietLogger("sync"))
                try await engine.syncOnce()
                #expect(try await restored.restoredThroughSequence() == nil)
                for index in 0..<10 {
                    _ = try await restored.recordPurchase(PurchaseRequest(
                        receiptId: "E-\(index)", tillDeviceId: "till-1", amountMinor: 1_200, currency: "EUR", profileId: ada))
                }
                try await engine.syncOnce()
                #expect(try await restored.pendingOutboxCount() == 0)
                let final = try await restored.check()
                #expect(final.isConsistent, "\(final)")

                // Every event once, the store's sequence gap-free and fully applied.
                let events = try await hq.count("SELECT count(*)::bigint FROM store_event WHERE store_id = 'nantes'")
                let distinctIds = try await hq.count("SELECT count(DISTINCT id)::bigint FROM store_event WHERE store_id = 'nantes'")
                let highest = try await hq.count("SELECT max(sequence)::bigint FROM store_event WHERE store_id = 'nantes'")
                let lowest = try await hq.count("SELECT min(sequence)::bigint FROM store_event WHERE store_id = 'nantes'")
                #expect(events == distinctIds && events == highest && lowest == 1)
                #expect(try await hq.count("SELECT acknowledged_sequence FROM store WHERE id = 'nantes'") == highest)
                #expect(try await restored.syncState()?.acknowledgedSequence == Int64(highest), "the store and head office agree on the last sequence")
                // The events written after the restore went out after head office's old highest, not over it.
                let firstNew = try await hq.count("""
                    SELECT min(sequence)::bigint FROM store_event WHERE store_id = 'nantes' AND type = 'purchase.recorded'
                    AND payload->>'receiptId' = 'D-0'
                    """)
                #expect(firstNew > headOfficeHighest)

                // Sales: what head office had (the restore took none away from it) and the store's new ones, once each;
                // the never-sent ones are nowhere.
                let receipts = try await hq.strings("SELECT receipt_id FROM purchase WHERE store_id = 'nantes'")
                #expect(receipts.count == Set(receipts).count, "no sale twice")
                let expected = receiptsBefore.union((0..<10).map { "D-\($0)" }).union((0..<10).map { "E-\($0)" })
                #expect(Set(receipts) == expected)
                #expect(!receipts.contains { $0.hasPrefix("C-") })
                #expect(try await hq.count("SELECT count(*)::bigint FROM visit WHERE store_id = 'nantes'")
                        == 40 + 10, "the 40 taps of the first writes (all synced before the restore) and the 10 after")
                // Points: head office's ledger is what it had, plus exactly what the store earned since the restore.
                let storeBalance = try await restored.balance(profileId: ada)
                let ledger = try await hq.count("SELECT sum(delta)::bigint FROM ledger_entry WHERE store_id = 'nantes'")
                #expect(Int64(ledger) == Int64(headOfficeLedger) + storeBalance - backupBalance)
                #expect(storeBalance > backupBalance)
                try restored.close()
            }
        }
    }
}
