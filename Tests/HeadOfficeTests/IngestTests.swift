import Foundation
import HeadOffice
import StoreCore
import StoreSync
import SyncProtocol
import Testing

/// Ingest semantics against a real PostgreSQL, with events written by a real store database.
@Suite("Head office ingest: exactly-once effect", .serialized)
struct IngestTests {
    /// A store with a signed-up customer, a sale and a visit: about a dozen outbox events.
    static func storeWithHistory(_ headOffice: HeadOfficeDatabase) async throws -> (TestStore, [SyncEvent]) {
        let store = try await TestStore.make("paris-01", headOffice: headOffice, url: URL(string: "http://127.0.0.1:1")!)
        let marie = try await store.database.signUp(SignUpRequest(
            firstName: "Marie", email: "marie@example.com", language: "fr", consents: [.marketingEmail: true],
            identifiers: TapIdentifiers(loyaltyCard: "LC-0001")))
        _ = try await store.database.recordPurchase(PurchaseRequest(
            receiptId: "R-1", tillDeviceId: "till-1", amountMinor: 12_350, currency: "EUR", profileId: marie.profile.id))
        _ = try await store.tap(TapIdentifiers(cardUID: "04A1B2C3D4E5F6"))
        let events = try await store.database.pendingOutboxEvents(limit: 1000).map { event in
            SyncEvent(outbox: event)
        }
        return (store, events)
    }

    static func state(_ hq: HeadOfficeDatabase) async throws -> [Int] {
        [try await hq.count("SELECT count(*)::bigint FROM store_event"),
         try await hq.count("SELECT count(*)::bigint FROM profile"),
         try await hq.count("SELECT count(*)::bigint FROM visit"),
         try await hq.count("SELECT count(*)::bigint FROM purchase"),
         try await hq.count("SELECT count(*)::bigint FROM consent"),
         try await hq.count("SELECT COALESCE(sum(delta), 0)::bigint FROM ledger_entry")]
    }

    @Test("a batch is applied once; sending it again is counted as duplicates and changes nothing")
    func resend() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let (store, events) = try await Self.storeWithHistory(hq)
            let first = try await hq.ingest(PushBatch(storeId: store.id, events: events), authenticatedStore: store.id)
            #expect(first.acknowledgedSequence == events.last!.sequence)
            #expect(first.accepted == events.count && first.duplicates == 0 && first.gaps.isEmpty)
            let balance = try await store.database.balance(profileId: try #require(try await store.database.findProfiles(.email("marie@example.com")).first).id)
            let applied = try await Self.state(hq)
            #expect(applied == [events.count, 1, 1, 1, ConsentPurpose.allCases.count, Int(balance)])

            let again = try await hq.ingest(PushBatch(storeId: store.id, events: events), authenticatedStore: store.id)
            #expect(again.accepted == 0 && again.duplicates == events.count)
            #expect(again.acknowledgedSequence == first.acknowledgedSequence)
            #expect(try await Self.state(hq) == applied)
        }
    }

    @Test("batches that arrive out of order wait for the gap, report it, and end in the in-order state")
    func reordered() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let (store, events) = try await Self.storeWithHistory(hq)
            let split = events.count / 2
            let later = try await hq.ingest(PushBatch(storeId: store.id, events: Array(events[split...])), authenticatedStore: store.id)
            #expect(later.acknowledgedSequence == 0)
            #expect(later.gaps == [SequenceGap(from: 1, to: events[split - 1].sequence)])
            #expect(try await hq.count("SELECT count(*)::bigint FROM profile") == 0, "nothing is applied across a gap")
            let report = try await hq.syncReport()
            #expect(report.first?.gaps == later.gaps)

            // The first half again, in a partly overlapping batch: the overlap is a duplicate.
            let earlier = try await hq.ingest(PushBatch(storeId: store.id, events: Array(events[..<(split + 1)])), authenticatedStore: store.id)
            #expect(earlier.acknowledgedSequence == events.last!.sequence && earlier.gaps.isEmpty)
            #expect(earlier.accepted == split && earlier.duplicates == 1)

            try await HeadOfficeHarness.withDatabase { inOrder in
                _ = try await inOrder.addStore(id: store.id, name: "again")
                _ = try await inOrder.ingest(PushBatch(storeId: store.id, events: events), authenticatedStore: store.id)
                #expect(try await Self.state(inOrder) == (try await Self.state(hq)))
            }
        }
    }

    @Test("the same sequence with other content is refused whole, and nothing stored changes")
    func conflictingDuplicate() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let (store, events) = try await Self.storeWithHistory(hq)
            _ = try await hq.ingest(PushBatch(storeId: store.id, events: Array(events.prefix(3))), authenticatedStore: store.id)
            let before = try await Self.state(hq)
            var tampered = events
            let profileEvent = try #require(events.firstIndex { $0.type == "profile.created" })
            #expect(profileEvent < 3)
            tampered[profileEvent].payload = tampered[profileEvent].payload.replacingOccurrences(of: "Marie", with: "Mallory")
            let error = await #expect(throws: HeadOfficeError.self) {
                try await hq.ingest(PushBatch(storeId: store.id, events: tampered), authenticatedStore: store.id)
            }
            #expect(error?.code == .conflict)
            #expect(error?.description.contains("sequence \(events[profileEvent].sequence) was already received with different content") == true)
            #expect(try await Self.state(hq) == before)
            #expect(try await hq.store(id: store.id)?.acknowledgedSequence == 3)
        }
    }

    @Test("a store may push only its own events, and bad events are refused with their place and field")
    func refusals() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let (store, events) = try await Self.storeWithHistory(hq)
            _ = try await hq.addStore(id: "lyon-01", name: "Lyon")
            let foreign = await #expect(throws: HeadOfficeError.self) {
                try await hq.ingest(PushBatch(storeId: store.id, events: events), authenticatedStore: "lyon-01")
            }
            #expect(foreign?.code == .forbidden)

            var unknownType = events[0]
            unknownType.type = "coupon.printed"
            var badField = events[0]
            badField.payload = #"{"id":"not-a-uuid"}"#
            var oldVersion = PushBatch(storeId: store.id, events: [events[0]])
            oldVersion.protocolVersion = 0
            let cases: [(PushBatch, String)] = [
                (PushBatch(storeId: store.id, events: [unknownType]), "events[0] (sequence 1): unknown event type 'coupon.printed'"),
                (PushBatch(storeId: store.id, events: [badField]), "events[0] (sequence 1): payload.id must be a UUID"),
                (PushBatch(storeId: store.id, events: [events[0], events[0]]), "events[1] (sequence 1): the sequence appears twice"),
                (oldVersion, "protocolVersion 0 is not supported"),
            ]
            for (batch, message) in cases {
                let error = await #expect(throws: HeadOfficeError.self) { try await hq.ingest(batch, authenticatedStore: store.id) }
                #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error")")
            }
            #expect(try await hq.count("SELECT count(*)::bigint FROM store_event") == 0)
        }
    }
}
