import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HeadOffice
import HeadOfficeService
import PostgresNIO
import StoreCore
import StoreSync
import SyncProtocol
import Testing

/// A push is acknowledged once its events are stored; they are applied afterwards, by a node's projection worker
/// or the store's pull, once and in sequence order (migration v10).
@Suite("Head office: pushes acknowledged when stored, applied after", .serialized)
struct DeferredProjectionTests {
    @Test("receive stores and acknowledges without applying; steps apply the run in order, once, then report caught up")
    func receiveThenProject() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let (store, events) = try await IngestTests.storeWithHistory(hq)
            let answer = try await hq.receive(PushBatch(storeId: store.id, events: events), authenticatedStore: store.id)
            #expect(answer.acknowledgedSequence == events.last!.sequence && answer.accepted == events.count)
            #expect(try await hq.count("SELECT count(*)::bigint FROM store_event") == events.count)
            #expect(try await IngestTests.state(hq).dropFirst().allSatisfy { $0 == 0 }, "nothing applied yet")
            #expect(try await hq.projectionBacklog() == [ProjectionBacklog(storeId: store.id, acknowledged: answer.acknowledgedSequence, projected: 0)])

            #expect(try await hq.project(storeId: store.id, limit: 3) == .applied(after: 0, through: 3))
            #expect(try await hq.projectionBacklog().first?.projected == 3)
            #expect(try await hq.projectPending(storeId: store.id) == events.count - 3)
            #expect(try await hq.project(storeId: store.id) == .caughtUp)
            #expect(try await hq.projectionBacklog().isEmpty)
            let applied = try await IngestTests.state(hq)

            // The same events applied in one go on another database end in the same state.
            try await HeadOfficeHarness.withDatabase { other in
                _ = try await other.addStore(id: store.id, name: "Store \(store.id)", region: "Île-de-France")
                _ = try await other.ingest(PushBatch(storeId: store.id, events: events), authenticatedStore: store.id)
                #expect(try await IngestTests.state(other) == applied)
            }
            // A re-sent batch is stored no second time and leaves nothing to apply.
            let again = try await hq.receive(PushBatch(storeId: store.id, events: events), authenticatedStore: store.id)
            #expect(again.duplicates == events.count)
            #expect(try await hq.project(storeId: store.id) == .caughtUp)
            #expect(try await IngestTests.state(hq) == applied)
        }
    }

    @Test("a store whose events another session is applying is skipped by the worker and waited for by a pull")
    func busyStoreSkipped() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let (store, events) = try await IngestTests.storeWithHistory(hq)
            _ = try await hq.receive(PushBatch(storeId: store.id, events: events), authenticatedStore: store.id)
            let worker = ProjectionWorker(database: hq, logger: HeadOfficeHarness.quietLogger("projection"))
            let waiting = try await hq.transaction { connection in
                // Another node's projection of this store, holding its row lock.
                try await connection.query("SELECT projected_sequence FROM store_projection WHERE store_id = \(store.id) FOR UPDATE",
                                           logger: HeadOfficeHarness.quietLogger("lock"))
                #expect(try await hq.project(storeId: store.id, wait: false) == .busy)
                #expect(try await worker.catchUpOnce() == 0)
                // What a pull does: it waits for the lock, then applies the store's run.
                let pull = Task { try await hq.projectPending(storeId: store.id) }
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await hq.count("SELECT count(*)::bigint FROM visit") == 0, "the pull is still waiting")
                return pull
            }
            #expect(try await waiting.value == events.count)
            #expect(try await worker.catchUpOnce() == 0)
            #expect(try await hq.projectionBacklog().isEmpty)
            #expect(try await hq.count("SELECT count(*)::bigint FROM visit") == 1)
        }
    }

    @Test("a node's worker applies what a store pushed over HTTP, with no pull")
    func workerAppliesWithoutPull() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let store = try await TestStore.make("lyon-02", headOffice: hq, url: url)
                _ = try await store.database.signUp(SignUpRequest(
                    firstName: "Léa", email: "lea@example.com", language: "fr", identifiers: TapIdentifiers(loyaltyCard: "LC-0042")))
                try await store.engine.pushAll()
                var applied = false
                for _ in 0..<200 where !applied {
                    applied = try await hq.count("SELECT count(*)::bigint FROM profile WHERE email = 'lea@example.com'") == 1
                    if !applied { try await Task.sleep(for: .milliseconds(25)) }
                }
                #expect(applied, "the worker applied the push within 5 s")
                #expect(try await hq.projectionBacklog().isEmpty)
            }
        }
    }

    @Test("a store's pull applies what it pushed before it reads the feed, so one sync round sees its own push")
    func pullAppliesOwnPush() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq, projectionWorker: false) { url in
                let store = try await TestStore.make("lyon-03", headOffice: hq, url: url)
                _ = try await store.database.signUp(SignUpRequest(
                    firstName: "Léa", email: "lea@example.com", language: "fr", identifiers: TapIdentifiers(loyaltyCard: "LC-0043")))
                try await store.engine.pushAll()
                #expect(try await hq.count("SELECT count(*)::bigint FROM profile") == 0, "acknowledged, not applied")
                #expect(try await hq.projectionBacklog().map(\.storeId) == [store.id])
                let pushed = try await store.database.syncState()?.acknowledgedSequence ?? 0
                #expect(try await Self.unappliedEvents(url) == pushed, "/health tells the backlog")
                try await store.sync()
                #expect(try await hq.count("SELECT count(*)::bigint FROM profile WHERE email = 'lea@example.com'") == 1)
                #expect(try await hq.projectionBacklog().isEmpty)
                #expect(try await Self.unappliedEvents(url) == 0)
            }
        }
    }

    @Test("an identifier event scrubbed by an erasure before it was applied is skipped: the projection goes on and brings nothing back")
    func erasedBeforeApplied() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let none = URL(string: "http://127.0.0.1:9")!
            let paris = try await TestStore.make("paris-03", headOffice: hq, url: none)
            let marie = try await paris.database.signUp(SignUpRequest(
                firstName: "Marie", email: "marie@example.com", language: "fr", identifiers: TapIdentifiers(loyaltyCard: "LC-0777"))).profile.id
            let parisEvents = try await IdentityAndLoyaltyTests.events(paris)
            _ = try await hq.ingest(PushBatch(storeId: paris.id, events: parisEvents), authenticatedStore: paris.id)
            // Her card tapped in another store, which that store does not know: received, not yet applied.
            let lille = try await TestStore.make("lille-01", headOffice: hq, url: none)
            _ = try await lille.tap(TapIdentifiers(loyaltyCard: "LC-0777"))
            let lilleEvents = try await IdentityAndLoyaltyTests.events(lille)
            _ = try await hq.receive(PushBatch(storeId: lille.id, events: lilleEvents), authenticatedStore: lille.id)
            #expect(try await hq.eraseCustomer(id: try #require(UUID(uuidString: marie)), source: "test"))
            #expect(try await hq.count("SELECT count(*)::bigint FROM store_event WHERE store_id = 'lille-01' AND payload ? 'erased'") > 0)

            #expect(try await hq.projectPending(storeId: lille.id) == lilleEvents.count)
            #expect(try await hq.count("SELECT count(*)::bigint FROM identifier WHERE value = 'LC-0777'") == 0)
            #expect(try await hq.count("SELECT count(*)::bigint FROM visit WHERE store_id = 'lille-01' AND profile_id IS NULL") == 1)
        }
    }

    @Test("a store whose events cannot be applied holds back no other store; it is applied once the fault is gone")
    func failingStoreHoldsBackNoOther() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let (paris, parisEvents) = try await IngestTests.storeWithHistory(hq)
            _ = try await hq.receive(PushBatch(storeId: paris.id, events: parisEvents), authenticatedStore: paris.id)
            let lyon = try await TestStore.make("lyon-04", headOffice: hq, url: URL(string: "http://127.0.0.1:9")!)
            _ = try await lyon.database.signUp(SignUpRequest(
                firstName: "Léa", email: "lea@example.com", language: "fr", identifiers: TapIdentifiers(loyaltyCard: "LC-0044")))
            let lyonEvents = try await IdentityAndLoyaltyTests.events(lyon)
            _ = try await hq.receive(PushBatch(storeId: lyon.id, events: lyonEvents), authenticatedStore: lyon.id)
            // Paris is the most behind, so a round takes it first.
            #expect(try await hq.projectionBacklog().map(\.storeId) == [paris.id, lyon.id])
            let logger = HeadOfficeHarness.quietLogger("fault")
            // A fault in the database itself: every step that would move paris-01's projection mark fails.
            _ = try await hq.transaction { connection in
                try await connection.query("""
                    CREATE FUNCTION test_refuse_paris() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'test fault for paris-01'; END $$
                    """, logger: logger)
                try await connection.query("""
                    CREATE TRIGGER test_refuse_paris BEFORE UPDATE ON store_projection
                    FOR EACH ROW WHEN (NEW.store_id = 'paris-01') EXECUTE FUNCTION test_refuse_paris()
                    """, logger: logger)
            }
            let worker = ProjectionWorker(database: hq, logger: HeadOfficeHarness.quietLogger("projection"))
            #expect(try await worker.catchUpOnce() == lyonEvents.count, "lyon-04 applied past the failing paris-01")
            #expect(try await hq.projectionBacklog() == [ProjectionBacklog(storeId: paris.id, acknowledged: parisEvents.last!.sequence, projected: 0)])
            #expect(try await hq.count("SELECT count(*)::bigint FROM profile WHERE email = 'lea@example.com'") == 1)
            // Nothing left that can be applied: the round says why, so that the worker pauses.
            await #expect(throws: (any Error).self) { try await worker.catchUpOnce() }

            _ = try await hq.transaction { connection in
                try await connection.query("DROP TRIGGER test_refuse_paris ON store_projection", logger: logger)
            }
            #expect(try await worker.catchUpOnce() == parisEvents.count)
            #expect(try await hq.projectionBacklog().isEmpty)
            #expect(try await hq.count("SELECT count(*)::bigint FROM profile WHERE email = 'marie@example.com'") == 1)
        }
    }

    static func unappliedEvents(_ url: URL) async throws -> Int64? {
        let (data, _) = try await URLSession.shared.data(from: url.appendingPathComponent("health"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["unappliedEvents"] as? Int64
    }
}
