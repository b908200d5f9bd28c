import Foundation
import HeadOffice
import PostgresNIO
import Synchronization
import StoreCore
import StoreSync
import SyncProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Faults injected into real processes: head office (`parcours hq serve`) killed mid-commit and restarted, a
/// store's sync process (`parcours sync`) killed mid-send and restarted, a network that cuts requests mid-batch,
/// and old batches replayed. Afterwards head office's counts, sequences and balances match each store's own.
@Suite("Sync under faults, with real processes", .serialized)
struct SyncFaultTests {
    struct Store: Sendable {
        let id: String
        let database: StoreDatabase
        let credential: StoreCredential
        let path: String
    }

    static func traffic(_ store: Store, rounds: Int, start: Date, from first: Int = 0) async throws {
        for round in first..<(first + rounds) {
            let at = start.addingTimeInterval(Double(round) * 1800)
            let person = try await store.database.signUp(SignUpRequest(
                firstName: "Client\(round)", email: "c\(round)@\(store.id).example", language: "fr",
                consents: [.marketingEmail: round.isMultiple(of: 2)], identifiers: TapIdentifiers(loyaltyCard: "LC-\(store.id)-\(round)"), at: at))
            _ = try await store.database.recordTap(Tap(identifiers: TapIdentifiers(loyaltyCard: "LC-\(store.id)-\(round)"),
                                                       deviceId: "kiosk", reader: "Kiosk Reader 00 00", at: at + 60))
            _ = try await store.database.recordTap(Tap(identifiers: TapIdentifiers(cardUID: String(format: "04%06X%06X", round, store.id.hashValue & 0xFFFFFF)),
                                                       deviceId: "kiosk", reader: "Kiosk Reader 00 00", at: at + 90))
            _ = try await store.database.recordPurchase(PurchaseRequest(
                receiptId: "\(store.id)-\(round)", tillDeviceId: "till", amountMinor: 1_999 + Int64(round), currency: "EUR",
                profileId: person.profile.id, at: at + 120))
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test("HQ killed mid-commit, stores killed mid-send, connections cut mid-batch, old batches replayed: every event exactly once")
    func chaos() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let base = try HeadOfficeHarness.baseURL()
            let url = try await hq.read { connection in
                try await connection.query("SELECT current_database()", logger: HeadOfficeHarness.quietLogger("q")).decode(String.self).gathered().first!
            }
            let databaseURL = base.replacingOccurrences(of: "/parcours_hq", with: "/\(url)")
            let hqPort = try ProcessRig.freePort()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-faults-\(UUID().uuidString)")
            var stores: [Store] = []
            for id in ["paris", "lyon", "lille"] {
                let credential = try await hq.addStore(id: id, name: id)
                let path = directory.appendingPathComponent("\(id).sqlite").path
                let database = try await StoreDatabase.open(path: path, options: .init(storeId: id, synchronous: .normal))
                stores.append(Store(id: id, database: database, credential: credential, path: path))
            }
            // Lille reaches head office through a network that cuts requests mid-batch.
            let proxy = try CuttingProxy(upstream: hqPort)
            defer { proxy.stop() }

            let startHQ = { try ProcessRig.Child(["hq", "serve", "--database-url", databaseURL, "--port", "\(hqPort)"], environment: [:]) }
            let startSync = { (store: Store) in
                try ProcessRig.Child(["sync", "--database", store.path, "--store-id", store.id], environment: [
                    "PARCOURS_HEADOFFICE_URL": "http://127.0.0.1:\(store.id == "lille" ? proxy.port : hqPort)",
                    "PARCOURS_HEADOFFICE_CREDENTIAL": store.credential.text,
                    "PARCOURS_HEADOFFICE_INTERVAL_SECONDS": "0.05", "PARCOURS_HEADOFFICE_BATCH_SIZE": "17",
                    "PARCOURS_HEADOFFICE_BACKOFF_CAP_SECONDS": "0.2",
                ])
            }
            var headOffice = try startHQ()
            var syncs = try stores.map(startSync)

            // Replayed later: the first events Paris will send.
            try await Self.traffic(stores[0], rounds: 3, start: Date(timeIntervalSince1970: 1_790_000_000))
            let oldBatch = try await stores[0].database.pendingOutboxEvents(limit: 40)

            let everyStore = stores
            async let load: Void = withThrowingTaskGroup(of: Void.self) { group in
                for store in everyStore {
                    group.addTask { try await Self.traffic(store, rounds: 40, start: Date(timeIntervalSince1970: 1_790_100_000), from: 100) }
                }
                try await group.waitForAll()
            }
            for round in 0..<4 {
                try await Task.sleep(for: .milliseconds(350))
                headOffice.crash()                       // mid-commit, most likely: the stores push every 50 ms
                try await Task.sleep(for: .milliseconds(150))
                headOffice = try startHQ()
                let victim = round % stores.count
                syncs[victim].crash()                    // mid-send
                syncs[victim] = try startSync(stores[victim])
            }
            try await load

            // Let everything drain, then compare.
            let deadline = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < deadline {
                var done = true
                for store in stores {
                    let totals = try await store.database.totals()
                    if totals.acknowledgedSequence < totals.highestSequence { done = false }
                }
                if done { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            for sync in syncs { sync.crash() }

            for store in stores {
                let totals = try await store.database.totals()
                #expect(totals.acknowledgedSequence == totals.highestSequence, "\(store.id) drained")
                #expect(try await hq.count("SELECT count(*)::bigint FROM store_event WHERE store_id = '\(store.id)'") == Int(totals.highestSequence), "\(store.id) events")
                #expect(try await hq.count("SELECT acknowledged_sequence FROM store WHERE id = '\(store.id)'") == Int(totals.highestSequence), "\(store.id) sequence")
                #expect(try await hq.count("SELECT count(*)::bigint FROM visit WHERE store_id = '\(store.id)'") == totals.visits, "\(store.id) visits")
                #expect(try await hq.count("SELECT count(*)::bigint FROM purchase WHERE store_id = '\(store.id)'") == totals.purchases, "\(store.id) purchases")
                #expect(try await hq.count("SELECT count(*)::bigint FROM ledger_entry WHERE store_id = '\(store.id)'") == totals.ledgerEntries, "\(store.id) ledger")
                #expect(try await hq.count("SELECT COALESCE(sum(delta), 0)::bigint FROM ledger_entry WHERE store_id = '\(store.id)'") == Int(totals.ledgerSum), "\(store.id) balance")
                #expect(totals.purchases == 43 || store.id != "paris")
            }
            #expect(proxy.cuts.load(ordering: .relaxed) > 0, "the network did cut requests")

            // Replay: an old batch, freshly signed, is all duplicates and changes nothing.
            let before = try await hq.count("SELECT count(*)::bigint FROM store_event")
            let link = try HeadOfficeLink(url: URL(string: "http://127.0.0.1:\(hqPort)")!, credential: stores[0].credential)
            let answer = try await HeadOfficeClient(link: link).push(PushBatch(storeId: "paris", events: oldBatch.map { event in
                SyncEvent(outbox: event)
            }))
            #expect(answer.accepted == 0 && answer.duplicates == oldBatch.count)
            #expect(try await hq.count("SELECT count(*)::bigint FROM store_event") == before)
            headOffice.crash()
            try? FileManager.default.removeItem(at: directory)
        }
    }
}
