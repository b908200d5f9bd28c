import Foundation
import Logging
import PostgresNIO
import SyncProtocol

extension HeadOfficeDatabase {
    /// Applies a store's batch in one transaction and answers with the acknowledged high-water mark.
    ///
    /// Exactly-once effect from at-least-once delivery: each event is stored once, keyed by its id and by
    /// (store, sequence); a re-sent event is counted as a duplicate and has no effect. Events are *applied* (to
    /// profiles, visits, the ledger…) strictly in sequence order: an event that arrives after a gap is stored and
    /// waits until the gap is filled, so re-sent, duplicated, reordered and partly applied batches all end in the
    /// same state. The same sequence with different content is a conflict and the whole batch is refused.
    public func ingest(_ batch: PushBatch, authenticatedStore: String, now: Date = Date()) async throws -> PushAcknowledgement {
        let validated = try ValidatedBatch(batch, authenticatedStore: authenticatedStore)
        let storeId = validated.storeId
        return try await transaction { connection in
            // One push per store at a time: the row lock orders concurrent sends of the same store.
            guard let (acknowledged, highest) = try await connection.query("""
                SELECT acknowledged_sequence, highest_received FROM store WHERE id = \(storeId) FOR UPDATE
                """, logger: logger).decode((Int64, Int64).self).gathered().first else {
                throw HeadOfficeError(.unauthorized, "store \(storeId) is not registered")
            }
            var accepted = 0
            if !validated.isEmpty {
                accepted = try await connection.query("""
                    INSERT INTO store_event (store_id, sequence, id, type, schema_version, payload, created_at)
                    SELECT \(storeId), b.s, b.i::uuid, b.t, b.v, b.p::jsonb, b.c::timestamptz
                    FROM unnest(\(validated.sequences)::bigint[], \(validated.ids)::text[], \(validated.types)::text[],
                                \(validated.schemaVersions)::bigint[], \(validated.payloads)::text[], \(validated.createdAts)::text[])
                         AS b(s, i, t, v, p, c)
                    ORDER BY b.s
                    ON CONFLICT DO NOTHING
                    RETURNING sequence
                    """, logger: logger).collect().count
                if accepted < validated.sequences.count {
                    try await Self.refuseConflictingDuplicates(validated, on: connection, logger: logger)
                }
            }
            let contiguous = try await connection.query("""
                SELECT COALESCE(MAX(sequence), \(acknowledged))::bigint FROM (
                    SELECT sequence, sequence - row_number() OVER (ORDER BY sequence) AS offset_from_mark
                    FROM store_event WHERE store_id = \(storeId) AND sequence > \(acknowledged)) AS received
                WHERE offset_from_mark = \(acknowledged)
                """, logger: logger).decode(Int64.self).gathered().first ?? acknowledged
            if contiguous > acknowledged {
                try await Projection(connection: connection, storeId: storeId, after: acknowledged, through: contiguous,
                                     logger: logger).apply()
            }
            let newHighest = max(highest, validated.sequences.max() ?? 0)
            let gaps = newHighest > contiguous ? try await Self.gaps(storeId: storeId, after: contiguous, on: connection, logger: logger) : []
            try await connection.query("""
                UPDATE store SET acknowledged_sequence = \(contiguous), highest_received = \(newHighest), last_push_at = \(now)
                WHERE id = \(storeId)
                """, logger: logger)
            if !gaps.isEmpty {
                logger.warning("store sequence has gaps", metadata: [
                    "store": "\(storeId)", "acknowledged": "\(contiguous)", "missing": "\(gaps.map(\.description).joined(separator: ","))",
                ])
            }
            return PushAcknowledgement(acknowledgedSequence: contiguous, accepted: accepted,
                                       duplicates: validated.sequences.count - accepted, gaps: gaps)
        }
    }

    /// A duplicate must be the same event: same id at the same sequence, same type and payload.
    private static func refuseConflictingDuplicates(_ batch: ValidatedBatch, on connection: PostgresConnection, logger: Logger) async throws {
        let storeId = batch.storeId
        let clash = try await connection.query("""
            SELECT b.s, e.store_id, e.sequence FROM unnest(\(batch.sequences)::bigint[], \(batch.ids)::text[], \(batch.types)::text[], \(batch.payloads)::text[]) AS b(s, i, t, p)
            JOIN store_event e ON (e.store_id = \(storeId) AND e.sequence = b.s) OR e.id = b.i::uuid
            WHERE e.store_id <> \(storeId) OR e.sequence <> b.s OR e.id <> b.i::uuid OR e.type <> b.t
               OR (e.payload <> b.p::jsonb AND NOT e.payload ? 'erased')
            ORDER BY b.s LIMIT 1
            """, logger: logger).decode((Int64, String, Int64).self).gathered().first
        if let (sequence, otherStore, otherSequence) = clash {
            if otherStore != storeId {
                throw HeadOfficeError(.conflict, "the event at sequence \(sequence) has the id of an event of another store: ids must be unique")
            }
            throw HeadOfficeError(.conflict, otherSequence == sequence
                ? "sequence \(sequence) was already received with different content: the store's outbox was rewritten (restored from an old backup?)"
                : "the event at sequence \(sequence) was already received at sequence \(otherSequence)")
        }
    }

    static func gaps(storeId: String, after mark: Int64, on connection: PostgresConnection, logger: Logger) async throws -> [SequenceGap] {
        try await connection.query("""
            SELECT previous + 1, sequence - 1 FROM (
                SELECT sequence, lag(sequence, 1, \(mark)) OVER (ORDER BY sequence) AS previous
                FROM store_event WHERE store_id = \(storeId) AND sequence > \(mark)) AS received
            WHERE sequence > previous + 1 ORDER BY sequence LIMIT 50
            """, logger: logger).decode((Int64, Int64).self).gathered().map { SequenceGap(from: $0.0, to: $0.1) }
    }

    /// Every store's sync position and the gaps head office sees in it.
    public func syncReport() async throws -> [(store: RegisteredStore, gaps: [SequenceGap])] {
        var report: [(RegisteredStore, [SequenceGap])] = []
        for store in try await stores() {
            let gaps = store.highestReceived > store.acknowledgedSequence
                ? try await read { try await Self.gaps(storeId: store.id, after: store.acknowledgedSequence, on: $0, logger: logger) }
                : []
            report.append((store, gaps))
        }
        return report
    }
}
