import Foundation
import GRDB

extension StoreDatabase {
    /// Events not yet acknowledged by head office, oldest first.
    public func pendingOutboxEvents(limit: Int = 500) async throws -> [OutboxEvent] {
        let limit = min(max(limit, 1), 10_000)
        return try await read { db in
            let acknowledged = try Int64.fetchOne(db, sql: "SELECT acknowledgedSequence FROM syncState WHERE id = 1") ?? 0
            return try OutboxEvent.filter(Column("sequence") > acknowledged).order(Column("sequence")).limit(limit).fetchAll(db)
        }
    }

    public func pendingOutboxCount() async throws -> Int {
        try await read { db in
            let acknowledged = try Int64.fetchOne(db, sql: "SELECT acknowledgedSequence FROM syncState WHERE id = 1") ?? 0
            return try OutboxEvent.filter(Column("sequence") > acknowledged).fetchCount(db)
        }
    }

    /// Records that head office has everything up to `sequence`. Acknowledgements never move backwards, and one
    /// beyond the last event issued is refused.
    public func acknowledgeOutbox(through sequence: Int64, at: Date = Date()) async throws {
        let at = at.storeTruncated
        try await write { db in
            let highest = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM outbox") ?? 0
            guard var state = try SyncState.fetchOne(db, key: 1) else { return }
            guard sequence <= max(highest, state.acknowledgedSequence) else {
                throw StoreError(.invalidArgument, "cannot acknowledge sequence \(sequence): the last event issued is \(highest)")
            }
            guard sequence > state.acknowledgedSequence else { return }
            state.acknowledgedSequence = sequence
            state.updatedAt = at
            try state.update(db)
        }
    }

    /// Deletes the events head office has acknowledged: it holds them now, and an erased customer's data must not
    /// linger in copies here (the file is opened with `secure_delete`, so the freed bytes are zeroed).
    @discardableResult
    public func pruneAcknowledgedOutbox() async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM outbox WHERE sequence <= (SELECT acknowledgedSequence FROM syncState WHERE id = 1)")
            return db.changesCount
        }
    }

    /// The sync cursors (acknowledged sequence, inbound cursor).
    public func syncState() async throws -> SyncState? {
        try await read { db in try SyncState.fetchOne(db, key: 1) }
    }

    public func setInboundCursor(_ cursor: String?, at: Date = Date()) async throws {
        guard (cursor?.count ?? 0) <= 1024 else {
            throw StoreError(.invalidArgument, "inbound cursor must be at most 1024 characters")
        }
        let at = at.storeTruncated
        try await write { db in
            guard var state = try SyncState.fetchOne(db, key: 1) else { return }
            state.inboundCursor = cursor
            state.updatedAt = at
            try state.update(db)
        }
    }
}
