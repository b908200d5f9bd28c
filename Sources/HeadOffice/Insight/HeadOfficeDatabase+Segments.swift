import Foundation
import PostgresNIO

public struct SegmentSize: Sendable, Hashable, Codable {
    public var name: String
    public var customers: Int
    public var churnRisk: Int
}

public struct SegmentOverview: Sendable, Hashable, Codable {
    public var refreshedAt: Date?
    public var customers: Int
    public var segments: [SegmentSize]
}

public struct SegmentMember: Sendable, Hashable, Codable {
    public var profileId: UUID
    public var firstName: String?
    public var email: String?
    public var phone: String?
    public var recency: Int
    public var frequency: Int
    public var monetary: Int
    public var r: Int
    public var f: Int
    public var m: Int
    public var churnRisk: Bool
}

/// RFM segmentation. Scores are quintiles by cumulative distribution, so equal values share a score: recency (days
/// since the last visit, purchase or online touchpoint) reversed, so the most recent score 5; frequency (store
/// purchases plus online orders, lifetime); monetary (net spend in minor units: purchases minus refunds plus online
/// orders). Named segments come from R and F; churn risk is a customer with at least two activities whose silence is
/// longer than twice their usual gap between activities (and at least 30 days).
///
/// Scoring a million customers takes seconds, so it is a refresh (`parcours hq segments refresh`, the
/// `/v1/segments/refresh` route, or the node's timer) whose result the reports and exports read.
extension HeadOfficeDatabase {
    public static let segmentNames = ["Champions", "Loyal", "Potential Loyalists", "New", "Promising", "Need Attention",
                                      "At Risk", "Cannot Lose Them", "Hibernating", "Lost"]

    /// Marketing purposes an export can be restricted to, and the contact field each needs.
    public static let exportPurposes = ["marketingEmail": "email", "marketingSMS": "phone"]

    /// Recomputes every live customer's scores as of `asOf`. Returns nil when another node is refreshing right now.
    @discardableResult
    public func refreshSegments(asOf: Date = Date()) async throws -> SegmentOverview? {
        let refreshed = try await transaction { connection -> Bool in
            let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(7203)", logger: logger)
                .decode(Bool.self).gathered().first ?? false
            guard locked else { return false }
            try await connection.query("DELETE FROM customer_segment", logger: logger)
            try await connection.query("""
                WITH live AS (SELECT id, created_at FROM profile WHERE merged_into IS NULL AND erased_at IS NULL),
                v AS (SELECT profile_id, count(*) AS n, max(at) AS last_at, min(at) AS first_at FROM visit
                      WHERE profile_id IS NOT NULL AND at <= \(asOf) GROUP BY 1),
                p AS (SELECT profile_id, count(*) AS n, sum(amount_minor) AS amount, max(at) AS last_at FROM purchase
                      WHERE profile_id IS NOT NULL AND at <= \(asOf) GROUP BY 1),
                rf AS (SELECT pu.profile_id, sum(r.amount_minor) AS amount FROM refund r JOIN purchase pu ON pu.id = r.purchase_id
                       WHERE pu.profile_id IS NOT NULL AND r.at <= \(asOf) GROUP BY 1),
                o AS (SELECT profile_id, count(*) AS n, count(*) FILTER (WHERE kind = 'onlineOrder') AS orders,
                             COALESCE(sum((detail->>'amountMinor')::bigint) FILTER (WHERE kind = 'onlineOrder'), 0) AS amount,
                             max(at) AS last_at, min(at) AS first_at
                      FROM touchpoint WHERE at <= \(asOf) GROUP BY 1),
                stats AS (
                    SELECT live.id,
                           COALESCE(greatest(v.last_at, p.last_at, o.last_at), live.created_at) AS last_at,
                           COALESCE(least(v.first_at, o.first_at), live.created_at) AS first_at,
                           COALESCE(p.n, 0) + COALESCE(o.orders, 0) AS frequency,
                           COALESCE(p.amount, 0) - COALESCE(rf.amount, 0) + COALESCE(o.amount, 0) AS monetary,
                           COALESCE(v.n, 0) + COALESCE(o.n, 0) AS activities
                    FROM live LEFT JOIN v ON v.profile_id = live.id LEFT JOIN p ON p.profile_id = live.id
                    LEFT JOIN rf ON rf.profile_id = live.id LEFT JOIN o ON o.profile_id = live.id),
                scored AS (
                    SELECT stats.*, greatest(0, floor(extract(epoch FROM (\(asOf)::timestamptz - last_at)) / 86400))::integer AS recency_days,
                           ceil(cume_dist() OVER (ORDER BY last_at) * 5)::smallint AS r,
                           ceil(cume_dist() OVER (ORDER BY frequency) * 5)::smallint AS f,
                           ceil(cume_dist() OVER (ORDER BY monetary) * 5)::smallint AS m
                    FROM stats)
                INSERT INTO customer_segment (profile_id, recency_days, frequency, monetary_minor, activities, r, f, m, segment, churn_risk, last_at)
                SELECT id, recency_days, frequency, monetary, activities, r, f, m,
                       CASE
                           WHEN (r = 5 AND f >= 4) OR (r = 4 AND f = 5) THEN 'Champions'
                           WHEN r >= 3 AND f >= 4 THEN 'Loyal'
                           WHEN r >= 4 AND f BETWEEN 2 AND 3 THEN 'Potential Loyalists'
                           WHEN r = 5 THEN 'New'
                           WHEN r = 4 THEN 'Promising'
                           WHEN r = 3 THEN 'Need Attention'
                           WHEN f = 5 THEN 'Cannot Lose Them'
                           WHEN f >= 3 THEN 'At Risk'
                           WHEN r = 2 THEN 'Hibernating'
                           ELSE 'Lost'
                       END,
                       activities >= 2 AND recency_days >= 30
                           AND extract(epoch FROM (\(asOf)::timestamptz - last_at))
                               > 2 * extract(epoch FROM (last_at - first_at)) / (activities - 1),
                       last_at
                FROM scored
                """, logger: logger)
            try await connection.query("""
                INSERT INTO segment_refresh (only_row, refreshed_at, customers)
                VALUES (true, \(asOf), (SELECT count(*) FROM customer_segment))
                ON CONFLICT (only_row) DO UPDATE SET refreshed_at = excluded.refreshed_at, customers = excluded.customers
                """, logger: logger)
            return true
        }
        return refreshed ? try await segmentOverview() : nil
    }

    public func segmentOverview() async throws -> SegmentOverview {
        try await read { connection in
            let refresh = try await connection.query("SELECT refreshed_at, customers FROM segment_refresh", logger: logger)
                .decode((Date, Int).self).gathered().first
            var sizes: [String: SegmentSize] = [:]
            for try await (name, customers, churn) in try await connection.query("""
                SELECT cs.segment, count(*), count(*) FILTER (WHERE cs.churn_risk) FROM customer_segment cs
                JOIN profile p ON p.id = cs.profile_id WHERE p.merged_into IS NULL AND p.erased_at IS NULL
                GROUP BY 1
                """, logger: logger).decode((String, Int, Int).self) {
                sizes[name] = SegmentSize(name: name, customers: customers, churnRisk: churn)
            }
            let segments = Self.segmentNames.map { sizes[$0] ?? SegmentSize(name: $0, customers: 0, churnRisk: 0) }
            return SegmentOverview(refreshedAt: refresh?.0, customers: segments.reduce(0) { $0 + $1.customers }, segments: segments)
        }
    }

    /// The live members of a segment, optionally only those whose latest answer for a marketing purpose is yes and
    /// who have the contact that purpose needs.
    public func segmentMembers(_ name: String, purpose: String? = nil, limit: Int? = nil, offset: Int = 0) async throws -> [SegmentMember] {
        guard Self.segmentNames.contains(name) else {
            throw HeadOfficeError(.notFound, "no segment is named '\(name.prefix(64))': the segments are \(Self.segmentNames.joined(separator: ", "))")
        }
        let contact: String?
        if let purpose {
            guard let field = Self.exportPurposes[purpose] else {
                throw HeadOfficeError(.invalidArgument, "purpose must be one of \(Self.exportPurposes.keys.sorted().joined(separator: ", ")), not '\(purpose.prefix(64))'")
            }
            contact = field
        } else {
            contact = nil
        }
        guard offset >= 0, (limit ?? 1) > 0 else { throw HeadOfficeError(.invalidArgument, "limit must be positive and offset not negative") }
        return try await read { connection in
            let rows = try await connection.query("""
                SELECT cs.profile_id, p.first_name, p.email, p.phone, cs.recency_days, cs.frequency, cs.monetary_minor,
                       cs.r, cs.f, cs.m, cs.churn_risk
                FROM customer_segment cs JOIN profile p ON p.id = cs.profile_id
                WHERE cs.segment = \(name) AND p.merged_into IS NULL AND p.erased_at IS NULL
                  AND (\(purpose == nil) OR (
                      (SELECT c.granted FROM consent c WHERE c.profile_id = p.id AND c.purpose = \(purpose ?? "")
                       ORDER BY c.at DESC, c.id DESC LIMIT 1) IS TRUE
                      AND CASE \(contact ?? "") WHEN 'email' THEN p.email IS NOT NULL WHEN 'phone' THEN p.phone IS NOT NULL ELSE true END))
                ORDER BY cs.profile_id
                LIMIT \(limit ?? Int(Int32.max)) OFFSET \(offset)
                """, logger: logger)
            var members: [SegmentMember] = []
            for try await (id, firstName, email, phone, recency, frequency, monetary, r, f, m, churn) in rows.decode(
                (UUID, String?, String?, String?, Int, Int, Int, Int16, Int16, Int16, Bool).self) {
                members.append(SegmentMember(profileId: id, firstName: firstName, email: email, phone: phone, recency: recency,
                                             frequency: frequency, monetary: monetary, r: Int(r), f: Int(f), m: Int(m), churnRisk: churn))
            }
            return members
        }
    }
}
