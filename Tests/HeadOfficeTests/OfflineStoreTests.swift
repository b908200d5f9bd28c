import Foundation
import HeadOffice
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
