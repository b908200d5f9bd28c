import Foundation
import GRDB
import StoreCore
import Testing

/// Concurrent writes share transactions (group commit); each caller still gets exactly its own answer, and the
/// outbox stays gap-free.
@Suite("Group commit")
struct GroupCommitTests {
    /// Holds the file's write lock from a second connection, so that the store's writes queue up behind it and
    /// are committed together once it lets go.
    final class WriteLockHolder: Sendable {
        let queue: DatabaseQueue

        init(path: String) throws {
            var configuration = Configuration()
            // The lock is held across two database accesses on purpose.
            configuration.allowsUnsafeTransactions = true
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        }

        func release() throws {
            try queue.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
            try queue.close()
        }
    }

    static func feedbackEvents(_ database: StoreDatabase) async throws -> [OutboxEvent] {
        try await database.pendingOutboxEvents(limit: 10_000).filter { $0.type == .feedbackRecorded }
    }

    @Test("200 concurrent feedback writes all land exactly once, with consecutive outbox sequences")
    func concurrentFeedback() async throws {
        let store = try await TestStore()
        let database = store.database
        let ada = try await database.signUpTestProfile()
        let before = try await database.pendingOutboxEvents(limit: 10_000).count

        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await database.recordFeedback(
                        score: index % 11, comment: "feedback \(index)", language: "fr", kioskDeviceId: "kiosk-1",
                        profileId: index % 2 == 0 ? ada : nil).id
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 200)

        let rows = try DatabaseQueue(path: store.path).read { db in
            try Row.fetchAll(db, sql: "SELECT id, comment FROM feedback")
        }
        #expect(rows.count == 200)
        #expect(Set(rows.map { $0["id"] as String }) == Set(ids))
        #expect(Set(rows.map { $0["comment"] as String }) == Set((0..<200).map { "feedback \($0)" }))

        let events = try await database.pendingOutboxEvents(limit: 10_000)
        #expect(events.count == before + 200)
        #expect(events.map(\.sequence) == Array(1...Int64(events.count)))
        let feedbackEvents = events.filter { $0.type == .feedbackRecorded }
        #expect(feedbackEvents.count == 200)
        // One event per feedback, each naming its own row.
        #expect(Set(ids.filter { id in feedbackEvents.contains { $0.payload.contains("\"id\":\"\(id)\"") } }).count == 200)
        let report = try await database.check()
        #expect(report.isConsistent, "\(report)")
    }

    @Test("a write that fails inside a group fails alone: the others in the same transaction commit")
    func failingWriteFailsAlone() async throws {
        let store = try await TestStore()
        let database = store.database
        let ada = try await database.signUpTestProfile()
        let before = try await database.pendingOutboxEvents(limit: 10_000).count
        // Well-formed, but no such profile: refused inside the transaction, after the valid writes before it ran.
        let nobody = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"

        let writerBefore = database.writerStatistics
        let lock = try WriteLockHolder(path: store.path)
        let writes = Task {
            try await withThrowingTaskGroup(of: (Int, Result<String, StoreError>).self) { group in
                for index in 0..<41 {
                    group.addTask {
                        do {
                            let feedback = try await database.recordFeedback(
                                score: 7, comment: "write \(index)", language: "en", kioskDeviceId: "kiosk-1",
                                profileId: index == 20 ? nobody : ada)
                            return (index, .success(feedback.id))
                        } catch let error as StoreError {
                            return (index, .failure(error))
                        }
                    }
                }
                return try await group.reduce(into: [Int: Result<String, StoreError>]()) { $0[$1.0] = $1.1 }
            }
        }
        // The writes queue up behind the other connection's lock (busy timeout 5 s), then commit together.
        try await Task.sleep(for: .milliseconds(300))
        try lock.release()
        let results = try await writes.value

        #expect(results.count == 41)
        for (index, result) in results {
            switch result {
            case .success:
                #expect(index != 20, "the write naming an unknown profile must fail")
            case .failure(let error):
                #expect(index == 20, "write \(index) failed: \(error)")
                #expect(error.code == .unknownProfile)
            }
        }
        let comments = try await DatabaseQueue(path: store.path).read { db in
            Set(try String.fetchAll(db, sql: "SELECT comment FROM feedback"))
        }
        #expect(comments == Set((0..<41).filter { $0 != 20 }.map { "write \($0)" }))
        let events = try await database.pendingOutboxEvents(limit: 10_000)
        #expect(events.count == before + 40)
        #expect(events.map(\.sequence) == Array(1...Int64(events.count)), "the failed write leaves no gap")
        #expect(try await database.check().isConsistent)
        // The writer's own account: every write counted once, and fewer transactions than writes.
        let writer = database.writerStatistics.since(writerBefore)
        #expect(writer.writes == 41)
        #expect(writer.groups >= 1 && writer.groups < 41, "\(writer)")
        #expect(writer.largestGroup > 1)
        #expect(writer.busy > .zero)
    }

    @Test("writes of different kinds share groups: taps, purchases and feedback keep their own results")
    func mixedWrites() async throws {
        let store = try await TestStore()
        let database = store.database
        let ada = try await database.signUpTestProfile(identifiers: TapIdentifiers(cardUID: "04A1B2C3D4E5F6"))
        let lock = try WriteLockHolder(path: store.path)
        let writes = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let outcome = try await database.recordPurchase(PurchaseRequest(
                            receiptId: "R-\(index)", tillDeviceId: "till-1", amountMinor: 1000, currency: "EUR",
                            profileId: ada, at: t0 + minutes(Double(index))))
                        #expect(!outcome.isReplay)
                    }
                    group.addTask {
                        let visit = try await database.tap(TapIdentifiers(cardUID: String(format: "04%012X", index)),
                                                           at: t0 + minutes(Double(index)))
                        #expect(visit.greeting == nil)
                    }
                    group.addTask {
                        _ = try await database.recordFeedback(score: 5, language: "en", kioskDeviceId: "kiosk-1")
                    }
                }
                // A replayed receipt with another amount is refused inside the group, alone.
                group.addTask {
                    try await Task.sleep(for: .milliseconds(50))
                    await #expect(throws: StoreError.self) {
                        try await database.recordPurchase(PurchaseRequest(
                            receiptId: "R-3", tillDeviceId: "till-1", amountMinor: 999, currency: "EUR", profileId: ada,
                            at: t0 + minutes(3)))
                    }
                }
                try await group.waitForAll()
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        try lock.release()
        try await writes.value

        let report = try await database.check()
        #expect(report.isConsistent, "\(report)")
        let counts = try await DatabaseQueue(path: store.path).read { db in
            try [
                Int.fetchOne(db, sql: "SELECT COUNT(*) FROM purchase") ?? -1,
                Int.fetchOne(db, sql: "SELECT COUNT(*) FROM visit") ?? -1,
                Int.fetchOne(db, sql: "SELECT COUNT(*) FROM feedback") ?? -1,
            ]
        }
        #expect(counts == [20, 20, 20])
        let events = try await database.pendingOutboxEvents(limit: 10_000)
        #expect(events.map(\.sequence) == Array(1...Int64(events.count)))
    }
}
