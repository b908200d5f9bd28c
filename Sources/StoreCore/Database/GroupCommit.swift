import Foundation
import GRDB
import Synchronization

/// Writes that arrive while the writer is busy share the next transaction, so that many callers pay for one
/// durable commit (one WAL fsync at `synchronous=FULL`) instead of one each.
///
/// - A write that arrives while the writer is idle is committed at once, alone, in its own transaction: group
///   commit adds no waiting, it only gathers what queued up during the previous commit.
/// - In a group each write runs in its own savepoint, in arrival order. A write that throws rolls back its
///   savepoint and fails only its own caller; the others commit.
/// - If SQLite abandons the whole transaction (an I/O error, a full disk, a failed COMMIT), nothing of the group
///   was kept, and every write of it is run again alone, in its own transaction, so each caller gets its own
///   answer. Write bodies must therefore touch nothing but the database (they already must: GRDB may not run
///   them at all when the connection is closed).
/// - Every caller resumes only after COMMIT returned for the transaction that holds its write.
///
/// Writes keep the single writer's order, so the outbox sequence (`MAX + 1` inside the transaction) stays gap-free
/// and follows arrival order: a write whose savepoint rolled back leaves no sequence behind.
///
/// The group runs on GRDB's writer dispatch queue, never on the cooperative pool.
final class GroupCommit: Sendable {
    private struct Write: Sendable {
        let body: @Sendable (Database) throws -> any Sendable
        let resume: @Sendable (Result<any Sendable, any Error>) -> Void
    }

    private struct Queue {
        var pending: [Write] = []
        /// True from when a drain is handed to the writer until it finds the queue empty.
        var draining = false
    }

    /// A group never grows past this many writes, so one caller's wait stays bounded when writes keep coming.
    static let maximumGroupSize = 64

    private let pool: DatabasePool
    private let queue = Mutex(Queue())
    private let counters = Mutex(WriterStatistics())

    var statistics: WriterStatistics { counters.withLock { $0 } }

    init(pool: DatabasePool) {
        self.pool = pool
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let write = Write(body: { db in try body(db) }, resume: { result in
                // The body returned a T: the cast cannot fail.
                continuation.resume(with: result.map { $0 as! T })
            })
            let startsDrain = queue.withLock { queue in
                queue.pending.append(write)
                guard !queue.draining else { return false }
                queue.draining = true
                return true
            }
            if startsDrain {
                pool.asyncWriteWithoutTransaction { [self] db in drain(db) }
            }
        }
    }

    /// Commits groups until no write is waiting. Runs on the writer queue.
    private func drain(_ db: Database) {
        while true {
            let group = queue.withLock { queue -> [Write] in
                let taken = Array(queue.pending.prefix(Self.maximumGroupSize))
                queue.pending.removeFirst(taken.count)
                if taken.isEmpty { queue.draining = false }
                return taken
            }
            if group.isEmpty { return }
            let started = ContinuousClock.now
            if group.count == 1 {
                commitAlone(group[0], db)
            } else {
                commit(group, db)
            }
            let busy = ContinuousClock.now - started
            counters.withLock { counters in
                counters.writes += group.count
                counters.groups += 1
                counters.largestGroup = max(counters.largestGroup, group.count)
                counters.busy += busy
            }
        }
    }

    private func commitAlone(_ write: Write, _ db: Database) {
        var value: (any Sendable)?
        do {
            try db.inTransaction(.immediate) {
                value = try write.body(db)
                return .commit
            }
            write.resume(.success(value!))
        } catch {
            write.resume(.failure(error))
        }
    }

    /// Signals that SQLite ended the group's transaction itself, so the group must be run again write by write.
    private struct TransactionAbandoned: Error {}

    private func commit(_ group: [Write], _ db: Database) {
        var results: [Result<any Sendable, any Error>] = []
        results.reserveCapacity(group.count)
        do {
            try db.inTransaction(.immediate) {
                for write in group {
                    var value: (any Sendable)?
                    do {
                        try db.inSavepoint {
                            value = try write.body(db)
                            return .commit
                        }
                        results.append(.success(value!))
                    } catch {
                        guard db.isInsideTransaction else { throw TransactionAbandoned() }
                        results.append(.failure(error))
                    }
                }
                return .commit
            }
        } catch let error where !(error is TransactionAbandoned) && results.isEmpty {
            // BEGIN IMMEDIATE itself failed (another process holds the file past the busy timeout): each write
            // alone would have met the same refusal.
            for write in group { write.resume(.failure(error)) }
            return
        } catch {
            // Nothing of the group is in the file: run each write again, alone.
            for write in group { commitAlone(write, db) }
            return
        }
        for (write, result) in zip(group, results) { write.resume(result) }
    }
}
