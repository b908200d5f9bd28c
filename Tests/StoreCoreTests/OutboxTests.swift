import Foundation
import GRDB
import StoreCore
import Testing

@Suite("Outbox")
struct OutboxTests {
    @Test("every state change writes its events with UUIDv7 ids and gap-free sequences")
    func eventsPerChange() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile(identifiers: TapIdentifiers(cardUID: "04A1B2C3D4E5F6"))
        _ = try await store.database.tap(TapIdentifiers(cardUID: "04A1B2C3D4E5F6"), at: t0 + hours(1))
        _ = try await store.database.recordPurchase(PurchaseRequest(
            receiptId: "R-1", tillDeviceId: "till-1", amountMinor: 10_000, currency: "EUR", profileId: ada, at: t0 + hours(1)))
        _ = try await store.database.redeem(profileId: ada, rewardId: "coffee", deviceId: "till-1", at: t0 + hours(2))
        _ = try await store.database.recordFeedback(score: 9, language: "en", kioskDeviceId: "kiosk-1", profileId: ada)

        let events = try await store.database.pendingOutboxEvents()
        #expect(events.map(\.type) == [
            .profileCreated, .identifierBound, .identifierBound, .consentChanged, .consentChanged, .consentChanged, .ledgerEntry,
            .visitRecorded, .ledgerEntry,
            .purchaseRecorded, .ledgerEntry,
            .redemptionRecorded, .ledgerEntry,
            .feedbackRecorded,
        ])
        #expect(events.map(\.sequence) == Array(1...Int64(events.count)))
        for event in events {
            #expect(event.storeId == "store-1")
            #expect(event.schemaVersion == 1)
            let uuid = try #require(UUID(uuidString: event.id))
            #expect(uuid.uuidString.lowercased() == event.id)
            #expect(Array(event.id)[14] == "7", "UUID version 7")
            #expect("89ab".contains(Array(event.id)[19]), "RFC 9562 variant")
            let json = try JSONSerialization.jsonObject(with: Data(event.payload.utf8)) as? [String: Any]
            #expect(json != nil)
        }
        let purchase = try #require(events.first { $0.type == .purchaseRecorded })
        #expect(purchase.payload.contains("\"receiptId\":\"R-1\""))
        #expect(purchase.payload.contains("\"at\":\"2026-01-01T01:00:00.000Z\""))
    }

    @Test("acknowledged events leave the pending list; sequences continue after pruning")
    func acknowledge() async throws {
        let store = try await TestStore()
        _ = try await store.database.signUpTestProfile()  // 6 events
        try await store.database.acknowledgeOutbox(through: 4)
        #expect(try await store.database.pendingOutboxEvents().map(\.sequence) == [5, 6])
        try await store.database.acknowledgeOutbox(through: 2)  // never backwards
        #expect(try await store.database.syncState()?.acknowledgedSequence == 4)
        let error = await #expect(throws: StoreError.self) { try await store.database.acknowledgeOutbox(through: 99) }
        #expect(error?.code == .invalidArgument)

        // The sync engine may delete acknowledged rows; the next sequence must not reuse a number.
        try await store.database.acknowledgeOutbox(through: 6)
        let queue = try DatabaseQueue(path: store.path)
        try await queue.write { db in try db.execute(sql: "DELETE FROM outbox") }
        try queue.close()
        _ = try await store.database.recordFeedback(score: 7, language: "en", kioskDeviceId: "kiosk-1")
        #expect(try await store.database.pendingOutboxEvents().map(\.sequence) == [7])
        #expect(try await store.database.check().outboxGaps.isEmpty)
    }

    @Test("a change and its event commit together or not at all")
    func atomicity() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile()
        let before = try await store.database.pendingOutboxCount()
        // Make the outbox refuse purchase events, as a full disk or a bug would: the purchase must vanish with it.
        let queue = try DatabaseQueue(path: store.path)
        try await queue.write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse_purchase_events BEFORE INSERT ON outbox WHEN NEW.type = 'purchase.recorded'
                BEGIN SELECT RAISE(ABORT, 'outbox unavailable'); END
                """)
        }
        await #expect(throws: DatabaseError.self) {
            try await store.database.recordPurchase(PurchaseRequest(
                receiptId: "R-1", tillDeviceId: "till-1", amountMinor: 10_000, currency: "EUR", profileId: ada, at: t0 + hours(1)))
        }
        let purchases = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM purchase") }
        let ledger = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledgerEntry WHERE reason = 'purchase'") }
        #expect(purchases == 0)
        #expect(ledger == 0)
        #expect(try await store.database.pendingOutboxCount() == before)
        #expect(try await store.database.balance(profileId: ada, at: t0 + hours(2)) == 50)

        // And with the outbox back, the same receipt goes through once.
        try await queue.write { db in try db.execute(sql: "DROP TRIGGER refuse_purchase_events") }
        try queue.close()
        let outcome = try await store.database.recordPurchase(PurchaseRequest(
            receiptId: "R-1", tillDeviceId: "till-1", amountMinor: 10_000, currency: "EUR", profileId: ada, at: t0 + hours(1)))
        #expect(!outcome.isReplay && outcome.pointsEarned == 100)
    }

    @Test("the ledger is append-only at the SQL level")
    func ledgerIsAppendOnly() async throws {
        let store = try await TestStore()
        _ = try await store.database.signUpTestProfile()
        let queue = try DatabaseQueue(path: store.path)
        defer { try? queue.close() }
        await #expect(throws: DatabaseError.self) {
            try await queue.write { db in try db.execute(sql: "UPDATE ledgerEntry SET delta = 1000") }
        }
        await #expect(throws: DatabaseError.self) {
            try await queue.write { db in try db.execute(sql: "DELETE FROM ledgerEntry") }
        }
    }
}
