import Foundation
import HeadOffice
import Logging
import ServiceLifecycle
import StoreCore
import StoreSync
import SyncProtocol
import Testing

@Suite("A store without head office", .serialized)
struct OfflineStoreTests {
    @Test("backoff grows exponentially to its cap, with full jitter")
    func backoff() {
        let backoff = Backoff(base: .milliseconds(500), cap: .seconds(60))
        #expect(backoff.ceiling(afterFailures: 1) == .milliseconds(500))
        #expect(backoff.ceiling(afterFailures: 2) == .seconds(1))
        #expect(backoff.ceiling(afterFailures: 5) == .seconds(8))
        #expect(backoff.ceiling(afterFailures: 8) == .seconds(60))
        #expect(backoff.ceiling(afterFailures: 500) == .seconds(60))
        #expect(backoff.delay(afterFailures: 5, random: 0) == .zero)
        #expect(backoff.delay(afterFailures: 5, random: 0.5) == .seconds(4))
        #expect(backoff.delay(afterFailures: 5, random: 7) == .seconds(8), "random is clamped to 0…1")
    }

    @Test("a stop while the sync waits out its backoff ends the service at once, not after the pause")
    func stopDuringBackoff() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let credential = try await hq.addStore(id: "evreux", name: "Store evreux", region: "Normandie")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-hq-tests-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let database = try await StoreDatabase.open(path: directory.appendingPathComponent("evreux.sqlite").path,
                                                        options: .init(storeId: "evreux", synchronous: .normal))
            // Nothing listens on port 9; after the first failure the engine pauses for up to ten minutes (full jitter).
            let link = try HeadOfficeLink(url: URL(string: "http://127.0.0.1:9")!, credential: credential, requestTimeout: .milliseconds(400),
                                          backoff: Backoff(base: .seconds(600), cap: .seconds(600)))
            let failed = AsyncStream.makeStream(of: Void.self)
            let engine = SyncEngine(database: database, client: HeadOfficeClient(link: link), logger: HeadOfficeHarness.quietLogger("sync"),
                                    onStatus: { status in if status.consecutiveFailures > 0 { failed.continuation.yield() } })
            let group = ServiceGroup(configuration: .init(services: [engine], logger: HeadOfficeHarness.quietLogger("group")))
            let stopped = try await withThrowingTaskGroup(of: Bool.self) { tasks in
                tasks.addTask { try await group.run(); return true }
                tasks.addTask { try await Task.sleep(for: .seconds(30)); return false }
                for await _ in failed.stream { break }
                await group.triggerGracefulShutdown()
                // Which ends first: the service group, or 30 s (the pause is uniform over ten minutes).
                let first = try await tasks.next() ?? false
                tasks.cancelAll()
                return first
            }
            #expect(stopped, "the sync service ended on the stop, before its pause was over")
            #expect(await engine.status.consecutiveFailures == 1)
        }
    }

    @Test("with head office unreachable, taps and sales go on, the outbox keeps everything, and the store catches up later with each event once")
    func offlineThenCatchUp() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            // Port 9 (discard) on loopback: nothing listens; each attempt fails within the test link's 0.4 s timeout.
            let store = try await TestStore.make("rouen", headOffice: hq, url: URL(string: "http://127.0.0.1:9")!, requestTimeout: .milliseconds(400))
            let marie = try await store.database.signUp(SignUpRequest(firstName: "Marie", email: "marie@example.com", language: "fr",
                                                                      identifiers: TapIdentifiers(loyaltyCard: "LC-R1")))
            let day = Date(timeIntervalSince1970: 1_790_000_000)
            for hour in 0..<24 {
                let at = day.addingTimeInterval(Double(hour) * 3600)
                _ = try await store.tap(TapIdentifiers(loyaltyCard: "LC-R1"), at: at)
                _ = try await store.tap(TapIdentifiers(cardUID: String(format: "04%012X", hour)), at: at + 60)
                _ = try await store.database.recordPurchase(PurchaseRequest(receiptId: "R-\(hour)", tillDeviceId: "till", amountMinor: 1_000 + Int64(hour),
                                                                            currency: "EUR", profileId: marie.profile.id, at: at + 120))
                await #expect(throws: HeadOfficeClient.Failure.self) { try await store.sync() }
            }
            let status = await store.engine.status
            #expect(status.consecutiveFailures == 24 && status.lastSuccessAt == nil)
            #expect(status.description.hasPrefix("unreachable after 24 attempt(s)"))
            let waiting = try await store.database.pendingOutboxCount()
            #expect(waiting > 24 * 3, "every visit, sale and ledger entry is kept")

            try await HeadOfficeHarness.withServer(hq) { url in
                let link = try HeadOfficeLink(url: url, credential: store.credential, batchSize: 7)
                let engine = SyncEngine(database: store.database, client: HeadOfficeClient(link: link), logger: HeadOfficeHarness.quietLogger("sync"))
                try await engine.syncOnce()
                #expect(await engine.status.backlog == 0)
                #expect(await engine.status.description.hasPrefix("ok"))
                try await engine.syncOnce()
            }
            let issued = try #require(try await store.database.syncState()).acknowledgedSequence
            #expect(try await hq.count("SELECT count(*)::bigint FROM store_event WHERE store_id = 'rouen'") == Int(issued))
            #expect(try await hq.count("SELECT count(*)::bigint FROM purchase") == 24)
            #expect(try await hq.count("SELECT count(*)::bigint FROM visit") == 48)
            #expect(try await hq.count("SELECT sum(delta)::bigint FROM ledger_entry") == Int(try await store.database.balance(profileId: marie.profile.id, at: day + 90_000)))
        }
    }
}
