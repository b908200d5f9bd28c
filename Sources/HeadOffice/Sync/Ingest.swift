import Foundation
import Logging
import PostgresNIO
import SyncProtocol

extension HeadOfficeDatabase {
    /// Stores a store's batch in one transaction and answers with the acknowledged high-water mark; the events are
    /// applied afterwards (``project(storeId:limit:wait:)``), by the node's ``ProjectionWorker`` or the store's next pull.
    ///
    /// Exactly-once effect from at-least-once delivery: each event is stored once, keyed by its id and by
    /// (store, sequence); a re-sent event is counted as a duplicate and has no effect. The mark is the last
    /// sequence before the first gap: an event that arrives after a gap is stored and waits until the gap is filled,
    /// and events are *applied* (to profiles, visits, the ledger…) strictly in sequence order up to that mark, so
    /// re-sent, duplicated, reordered and partly applied batches all end in the same state. The same sequence with
    /// different content is a conflict and the whole batch is refused.
    public func receive(_ batch: PushBatch, authenticatedStore: String, now: Date = Date()) async throws -> PushAcknowledgement {
        let validated = try ValidatedBatch(batch, authenticatedStore: authenticatedStore)
        let storeId = validated.storeId
        if validated.isEmpty { return try await position(ofStore: storeId) }
        let checks = ValidatedBatch.payloadChecks
        do {
            return try await transaction { connection in
                // One round trip (migration v10's hq_receive).
                let rows = try await connection.query("""
                    SELECT * FROM hq_receive(\(storeId), \(validated.sequences)::bigint[], \(validated.ids)::text[], \(validated.types)::text[],
                                             \(validated.schemaVersions)::bigint[], \(validated.payloads)::text[], \(validated.createdAts)::text[],
                                             \(now), \(checks.types)::text[], \(checks.fields)::text[], \(checks.kinds)::text[])
                    """, logger: logger)
                    .decode((Int64, Int64, [Int64], [Int64]).self).gathered()
                guard let (contiguous, accepted, gapsFrom, gapsTo) = rows.first else {
                    throw HeadOfficeError(.unauthorized, "store \(storeId) is not registered")
                }
                let gaps = zip(gapsFrom, gapsTo).map { SequenceGap(from: $0, to: $1) }
                if !gaps.isEmpty {
                    logger.warning("store sequence has gaps", metadata: [
                        "store": "\(storeId)", "acknowledged": "\(contiguous)", "missing": "\(gaps.map(\.description).joined(separator: ","))",
                    ])
                }
                return PushAcknowledgement(acknowledgedSequence: contiguous, accepted: Int(accepted),
                                           duplicates: validated.sequences.count - Int(accepted), gaps: gaps)
            }
        } catch let error as PSQLError {
            throw HeadOfficeError(refusal: error) ?? error
        }
    }

    /// ``receive(_:authenticatedStore:now:)``, then every event of the store it made applicable is applied before it
    /// answers: for tools and tests that read head office's views right after a push.
    public func ingest(_ batch: PushBatch, authenticatedStore: String, now: Date = Date()) async throws -> PushAcknowledgement {
        let acknowledgement = try await receive(batch, authenticatedStore: authenticatedStore, now: now)
        try await projectPending(storeId: authenticatedStore)
        return acknowledgement
    }

    /// The answer to an empty batch: where head office is for the store, changing nothing. A store restored from
    /// a backup asks this before it pushes (``PushAcknowledgement/highestReceived``).
    private func position(ofStore storeId: String) async throws -> PushAcknowledgement {
        try await read { connection in
            let rows = try await connection.query(
                "SELECT acknowledged_sequence, highest_received FROM store WHERE id = \(storeId)", logger: logger)
                .decode((Int64, Int64).self).gathered()
            guard let (acknowledged, highest) = rows.first else {
                throw HeadOfficeError(.unauthorized, "store \(storeId) is not registered")
            }
            let gaps = highest > acknowledged
                ? try await Self.gaps(storeId: storeId, after: acknowledged, on: connection, logger: logger) : []
            return PushAcknowledgement(acknowledgedSequence: acknowledged, accepted: 0, duplicates: 0, gaps: gaps,
                                       highestReceived: max(highest, acknowledged))
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

extension HeadOfficeError {
    /// `hq_ingest`'s refusals (SQLSTATE PX400, PX401, PX409), with its message naming what was wrong.
    init?(refusal error: PSQLError) {
        let code: Code
        switch error.sqlState {
        case "PX400": code = .invalidArgument
        case "PX401": code = .unauthorized
        case "PX409": code = .conflict
        default: return nil
        }
        self.init(code, error.serverInfo?[.message] ?? "the batch was refused")
    }
}
