import Foundation
import PostgresNIO

/// A report figure traced to the raw rows it counts: the visits, sign-ups, feedback or ledger entries themselves,
/// never the aggregates. `value` is the figure recomputed from those rows.
public enum ReportFigure: String, Sendable, CaseIterable {
    case visits, identifiedVisits, unknownVisits, convertedVisits, signUps, kioskSignUps
    case feedback, promoters, passives, detractors, pointsIssued, pointsRedeemed
    case uniqueCustomers, repeatCustomers, omnichannelCustomers
    /// A chain figure (see ``ReportFigures/onlineOnlyCustomers``).
    case onlineOnlyCustomers
}

public struct ReportComment: Sendable, Codable, Hashable {
    public var id: UUID
    public var at: Date
    public var storeId: String
    public var score: Int
    public var comment: String
    public var language: String
    public var profileId: UUID?
}

extension HeadOfficeDatabase {
    /// `{"figure", "value", "count", "rows": [...]}` as JSON text: `count` rows in all, `limit` of them from `offset`.
    public func reportRows(_ figure: ReportFigure, scope: ReportScope, period: ReportPeriod, limit: Int = 100, offset: Int = 0) async throws -> String {
        guard (1...10_000).contains(limit), offset >= 0 else { throw HeadOfficeError(.invalidArgument, "limit must be 1 to 10000 and offset not negative") }
        return try await read { connection in
            let target = try await ReportTarget.resolve(scope, on: connection, logger: logger)
            guard figure != .onlineOnlyCustomers || target.isChain else {
                throw HeadOfficeError(.invalidArgument, "onlineOnlyCustomers is a figure of the whole chain: ask without store or region")
            }
            let (rows, value, order) = Self.rowsSQL(figure)
            let sql = """
                WITH q AS (\(rows))
                SELECT jsonb_build_object('figure', $5::text, 'value', (\(value)), 'count', (SELECT count(*) FROM q),
                       'rows', COALESCE((SELECT jsonb_agg(to_jsonb(page)) FROM (SELECT * FROM q ORDER BY \(order) LIMIT $6 OFFSET $7) AS page), '[]'))::text
                """
            var binds = PostgresBindings()
            binds.append(target.isChain)
            binds.append(target.storeIds)
            binds.append(period.from.description)
            binds.append(period.to.description)
            binds.append(figure.rawValue)
            binds.append(limit)
            binds.append(offset)
            return try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
                .decode(String.self).gathered().first ?? "{}"
        }
    }

    /// Feedback with a comment, newest first.
    public func reportComments(scope: ReportScope, period: ReportPeriod, limit: Int = 50, offset: Int = 0) async throws -> (count: Int, comments: [ReportComment]) {
        guard (1...1_000).contains(limit), offset >= 0 else { throw HeadOfficeError(.invalidArgument, "limit must be 1 to 1000 and offset not negative") }
        return try await read { connection in
            let target = try await ReportTarget.resolve(scope, on: connection, logger: logger)
            let filter = """
                FROM feedback WHERE comment IS NOT NULL AND comment <> ''
                  AND ($1 OR store_id = ANY($2)) AND \(Self.periodFilter("at"))
                """
            var binds = PostgresBindings()
            binds.append(target.isChain)
            binds.append(target.storeIds)
            binds.append(period.from.description)
            binds.append(period.to.description)
            let count = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) \(filter)", binds: binds), logger: logger)
                .decode(Int.self).gathered().first ?? 0
            binds.append(limit)
            binds.append(offset)
            let comments = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT id, at, store_id, score, comment, language, profile_id \(filter) ORDER BY at DESC, id DESC LIMIT $5 OFFSET $6
                """, binds: binds), logger: logger).decode((UUID, Date, String, Int, String, String, UUID?).self).gathered().map {
                ReportComment(id: $0.0, at: $0.1, storeId: $0.2, score: $0.3, comment: $0.4, language: $0.5, profileId: $0.6)
            }
            return (count, comments)
        }
    }

    /// `at` within the period's UTC days; $3 and $4 are its first and last day.
    static func periodFilter(_ column: String) -> String {
        "\(column) >= ($3::date)::timestamp AT TIME ZONE 'UTC' AND \(column) < ($4::date + 1)::timestamp AT TIME ZONE 'UTC'"
    }

    /// The rows of a figure ($1: whole chain, $2: store ids, $3/$4: period), the figure's value over them, their order.
    static func rowsSQL(_ figure: ReportFigure) -> (rows: String, value: String, order: String) {
        let visits = """
            SELECT id, at, store_id AS "storeId", device_id AS "deviceId", profile_id AS "profileId",
                   identifier_kind AS "cardKind", identified_at_tap AS "identifiedAtTap"
            FROM visit WHERE ($1 OR store_id = ANY($2)) AND \(periodFilter("at"))
            """
        let signUps = """
            SELECT id, created_at AS at, origin_store_id AS "storeId", signup_origin AS "signedUpAt"
            FROM profile WHERE origin = 'store' AND ($1 OR origin_store_id = ANY($2)) AND \(periodFilter("created_at"))
            """
        let feedback = """
            SELECT id, at, store_id AS "storeId", kiosk_device_id AS "deviceId", score, comment, profile_id AS "profileId"
            FROM feedback WHERE ($1 OR store_id = ANY($2)) AND \(periodFilter("at"))
            """
        let ledger = """
            SELECT id, at, store_id AS "storeId", profile_id AS "profileId", delta, reason, reference
            FROM ledger_entry WHERE store_id IS NOT NULL AND ($1 OR store_id = ANY($2)) AND \(periodFilter("at"))
            """
        let customers = """
            SELECT profile_id AS "profileId", count(*) AS visits, min(at) AS "firstVisit", max(at) AS "lastVisit"
            FROM visit WHERE profile_id IS NOT NULL AND ($1 OR store_id = ANY($2)) AND \(periodFilter("at"))
            GROUP BY profile_id
            """
        let count = "SELECT count(*) FROM q"
        switch figure {
        case .visits: return (visits, count, "at, id")
        case .identifiedVisits: return ("SELECT * FROM (\(visits)) v WHERE \"identifiedAtTap\"", count, "at, id")
        case .unknownVisits: return ("SELECT * FROM (\(visits)) v WHERE NOT \"identifiedAtTap\"", count, "at, id")
        case .convertedVisits:
            return ("""
                SELECT * FROM (\(visits)) v WHERE NOT "identifiedAtTap" AND "profileId" IS NOT NULL
                  AND EXISTS (SELECT 1 FROM profile p WHERE p.id = v."profileId" AND p.origin_store_id = v."storeId")
                """, count, "at, id")
        case .signUps: return (signUps, count, "at, id")
        case .kioskSignUps: return ("SELECT * FROM (\(signUps)) s WHERE \"signedUpAt\" = 'kiosk'", count, "at, id")
        case .feedback: return (feedback, count, "at, id")
        case .promoters: return ("SELECT * FROM (\(feedback)) f WHERE score >= 9", count, "at, id")
        case .passives: return ("SELECT * FROM (\(feedback)) f WHERE score BETWEEN 7 AND 8", count, "at, id")
        case .detractors: return ("SELECT * FROM (\(feedback)) f WHERE score <= 6", count, "at, id")
        case .pointsIssued: return ("SELECT * FROM (\(ledger)) l WHERE delta > 0", "SELECT COALESCE(sum(delta), 0) FROM q", "at, id")
        case .pointsRedeemed: return ("SELECT * FROM (\(ledger)) l WHERE reason = 'redemption'", "SELECT COALESCE(-sum(delta), 0) FROM q", "at, id")
        case .uniqueCustomers: return (customers, count, "\"profileId\"")
        case .repeatCustomers: return ("SELECT * FROM (\(customers)) c WHERE visits >= 2", count, "\"profileId\"")
        case .omnichannelCustomers:
            return ("""
                SELECT c.*, (SELECT count(*) FROM touchpoint t WHERE t.profile_id = c."profileId" AND \(periodFilter("t.at"))) AS "onlineTouchpoints"
                FROM (\(customers)) c
                WHERE EXISTS (SELECT 1 FROM touchpoint t WHERE t.profile_id = c."profileId" AND \(periodFilter("t.at")))
                """, count, "\"profileId\"")
        case .onlineOnlyCustomers:
            return ("""
                SELECT t.profile_id AS "profileId", count(*) AS "onlineTouchpoints", min(t.at) AS "firstTouchpoint", max(t.at) AS "lastTouchpoint"
                FROM touchpoint t
                WHERE $1 AND \(periodFilter("t.at"))
                  AND NOT EXISTS (SELECT 1 FROM visit v WHERE v.profile_id = t.profile_id AND \(periodFilter("v.at")))
                GROUP BY t.profile_id
                """, count, "\"profileId\"")
        }
    }
}
