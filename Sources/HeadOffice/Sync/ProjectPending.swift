import Foundation
import Logging
import PostgresNIO

/// What one projection step did for a store.
public enum ProjectionStep: Sendable, Equatable {
    /// Events (after, through] were applied, in one transaction.
    case applied(after: Int64, through: Int64)
    /// Everything the store's acknowledged mark covers was already applied.
    case caughtUp
    /// Another session (on this node or another) is applying this store's events; asked not to wait.
    case busy
}

/// A store's received events that are not yet applied, as ``HeadOfficeDatabase/projectionBacklog()`` reports them.
public struct ProjectionBacklog: Sendable, Equatable {
    public var storeId: String
    public var acknowledged: Int64
    public var projected: Int64
    public var pending: Int64 { acknowledged - projected }

    public init(storeId: String, acknowledged: Int64, projected: Int64) {
        self.storeId = storeId
        self.acknowledged = acknowledged
        self.projected = projected
    }
}

extension HeadOfficeDatabase {
    /// How many events a step applies at most: big enough to keep the set-based statements efficient, small enough
    /// that a store's pull waiting for a step is not held for long.
    public static let projectionStepLimit = 2_000

    /// Applies up to `limit` of a store's acknowledged but not yet applied events, in sequence order, in one
    /// transaction (migration v10's `hq_project`, then what it leaves to Swift: merges, erasures, backfills).
    /// With `wait` false a store whose events another session is applying is left to it (``ProjectionStep/busy``).
    @discardableResult
    public func project(storeId: String, limit: Int = HeadOfficeDatabase.projectionStepLimit, wait: Bool = true) async throws -> ProjectionStep {
        do {
            return try await transaction { connection in
                let rows = try await connection.query("""
                    SELECT * FROM hq_project(\(storeId), \(Int64(limit)), \(wait), \(IdentityResolver.possessionKinds.sorted())::text[],
                                             \(AdvisoryLock.identity.rawValue), \(AdvisoryLock.feed.rawValue))
                    """, logger: logger)
                    .decode((Int64?, Int64?, Bool, Int64?, [UUID], [String]).self).gathered()
                guard let (after, through, busy, identityFrom, newlySeen, notes) = rows.first else {
                    throw HeadOfficeError(.unauthorized, "store \(storeId) is not registered")
                }
                if busy { return .busy }
                guard let after, let through, through > after else { return .caughtUp }
                for note in notes {
                    logger.notice("identifier binding not applied", metadata: ["store": "\(storeId)", "why": "\(note)"])
                }
                let projection = Projection(connection: connection, storeId: storeId, after: after, through: through, logger: logger)
                if let identityFrom {
                    try await projection.finish(identityFrom: identityFrom)
                } else {
                    try await projection.backfill(newlySeen)
                }
                return .applied(after: after, through: through)
            }
        } catch let error as PSQLError {
            throw HeadOfficeError(refusal: error) ?? error
        }
    }

    /// Steps until the store's events are applied up to its acknowledged mark, waiting for any other session
    /// applying them, or until `atMost` events have been applied; answers how many were.
    @discardableResult
    public func projectPending(storeId: String, atMost: Int = .max) async throws -> Int {
        var applied = 0
        while applied < atMost {
            guard case .applied(let after, let through) = try await project(
                storeId: storeId, limit: min(Self.projectionStepLimit, atMost - applied), wait: true) else { break }
            applied += Int(through - after)
        }
        return applied
    }

    /// The stores with events acknowledged but not yet applied, most behind first.
    public func projectionBacklog() async throws -> [ProjectionBacklog] {
        try await read { connection in
            try await connection.query("""
                SELECT s.id, s.acknowledged_sequence, COALESCE(p.projected_sequence, 0)
                FROM store s LEFT JOIN store_projection p ON p.store_id = s.id
                WHERE s.acknowledged_sequence > COALESCE(p.projected_sequence, 0)
                ORDER BY s.acknowledged_sequence - COALESCE(p.projected_sequence, 0) DESC, s.id
                """, logger: logger).decode((String, Int64, Int64).self).gathered()
                .map { ProjectionBacklog(storeId: $0.0, acknowledged: $0.1, projected: $0.2) }
        }
    }
}
