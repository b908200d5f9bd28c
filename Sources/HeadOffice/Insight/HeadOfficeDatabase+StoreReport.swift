import Foundation
import PostgresNIO

/// Store reports, read from the aggregates the v6 triggers keep (never from the visits themselves).
extension HeadOfficeDatabase {
    public func storeReport(scope: ReportScope, period: ReportPeriod, by grain: ReportGrain) async throws -> StoreReport {
        try await read { connection in
            let target = try await ReportTarget.resolve(scope, on: connection, logger: logger)
            let buckets = period.buckets(by: grain)
            let additive = try await additiveFigures(target, period: period, grain: grain, on: connection)
            let kinds = try await tapsByKind(target, period: period, grain: grain, on: connection)
            let whole = buckets.filter(\.whole).map(\.start)
            var distinct = try await wholeBucketCounts(target, grain: grain, starts: whole, on: connection)
            for bucket in buckets where !bucket.whole {
                distinct[bucket.start] = try await rangeCounts(target, grain: .day, from: bucket.start, to: bucket.end, on: connection)
            }
            let figures = buckets.map { bucket in
                let key = bucket.start.start(of: grain)
                return ReportFigures(start: bucket.start, end: bucket.end, additive: additive[key] ?? AdditiveFigures(),
                                     distinct: distinct[bucket.start] ?? DistinctFigures(), tapsByKind: kinds[key] ?? [:])
            }
            let totalDistinct: DistinctFigures
            if buckets.count == 1 {
                totalDistinct = distinct[buckets[0].start] ?? DistinctFigures()
            } else {
                totalDistinct = try await rangeCounts(target, grain: period.tilingGrain, from: period.from, to: period.to, on: connection)
            }
            let totalKinds = kinds.values.reduce(into: [String: Int]()) { sum, byKind in sum.merge(byKind, uniquingKeysWith: +) }
            let total = ReportFigures(start: period.from, end: period.to, additive: additive.values.reduce(AdditiveFigures(), +),
                                      distinct: totalDistinct, tapsByKind: totalKinds)
            return StoreReport(scope: target.description, from: period.from, to: period.to, by: grain, buckets: figures, total: total)
        }
    }

    /// Sums of the per-store, per-day rows, keyed by the (unclipped) start of each bucket.
    private func additiveFigures(_ target: ReportTarget, period: ReportPeriod, grain: ReportGrain,
                                 on connection: PostgresConnection) async throws -> [ReportDay: AdditiveFigures] {
        let rows = try await connection.query("""
            SELECT to_char(CASE \(grain.code) WHEN 'd' THEN day WHEN 'w' THEN report_week(day) ELSE report_month(day) END, 'YYYY-MM-DD'),
                   sum(visits)::bigint, sum(identified_visits)::bigint, sum(unknown_visits)::bigint, sum(converted_visits)::bigint,
                   sum(sign_ups)::bigint, sum(kiosk_sign_ups)::bigint, sum(promoters)::bigint, sum(passives)::bigint,
                   sum(detractors)::bigint, sum(points_issued)::bigint, sum(points_redeemed)::bigint
            FROM report_store_day
            WHERE day BETWEEN \(period.from.description)::date AND \(period.to.description)::date
              AND (\(target.isChain) OR store_id = ANY(\(target.storeIds)))
            GROUP BY 1
            """, logger: logger)
        var figures: [ReportDay: AdditiveFigures] = [:]
        for try await row in rows {
            let (day, visits, identified, unknown, converted, signUps, kiosk, promoters, passives, detractors, issued, redeemed) =
                try row.decode((String, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int).self)
            figures[try ReportDay(parsing: day, field: "bucket")] = AdditiveFigures(
                visits: visits, identifiedVisits: identified, unknownVisits: unknown, convertedVisits: converted,
                signUps: signUps, kioskSignUps: kiosk, promoters: promoters, passives: passives, detractors: detractors,
                pointsIssued: issued, pointsRedeemed: redeemed)
        }
        return figures
    }

    private func tapsByKind(_ target: ReportTarget, period: ReportPeriod, grain: ReportGrain,
                            on connection: PostgresConnection) async throws -> [ReportDay: [String: Int]] {
        let rows = try await connection.query("""
            SELECT to_char(CASE \(grain.code) WHEN 'd' THEN day WHEN 'w' THEN report_week(day) ELSE report_month(day) END, 'YYYY-MM-DD'),
                   kind, sum(taps)::bigint
            FROM report_store_day_kind
            WHERE day BETWEEN \(period.from.description)::date AND \(period.to.description)::date
              AND (\(target.isChain) OR store_id = ANY(\(target.storeIds)))
            GROUP BY 1, 2 HAVING sum(taps) <> 0
            """, logger: logger)
        var kinds: [ReportDay: [String: Int]] = [:]
        for try await (day, kind, taps) in rows.decode((String, String, Int).self) {
            kinds[try ReportDay(parsing: day, field: "bucket"), default: [:]][kind] = taps
        }
        return kinds
    }

    /// People counts of whole buckets. One store or the chain reads its counters; a region counts the distinct
    /// people among its stores' members.
    private func wholeBucketCounts(_ target: ReportTarget, grain: ReportGrain, starts: [ReportDay],
                                   on connection: PostgresConnection) async throws -> [ReportDay: DistinctFigures] {
        guard !starts.isEmpty else { return [:] }
        let days = starts.map(\.description)
        var counts: [ReportDay: DistinctFigures] = [:]
        if let scope = target.singleScope {
            let rows = try await connection.query("""
                SELECT to_char(bucket, 'YYYY-MM-DD'), sum(customers)::bigint, sum(repeat_customers)::bigint FROM report_bucket_delta
                WHERE scope = \(scope) AND grain = \(grain.code)::"char" AND bucket = ANY(\(days)::date[])
                GROUP BY bucket
                """, logger: logger)
            for try await (day, customers, repeaters) in rows.decode((String, Int, Int).self) {
                counts[try ReportDay(parsing: day, field: "bucket"), default: DistinctFigures()].customers = customers
                counts[try ReportDay(parsing: day, field: "bucket"), default: DistinctFigures()].repeatCustomers = repeaters
            }
        } else {
            let rows = try await connection.query("""
                SELECT to_char(bucket, 'YYYY-MM-DD'), count(*), count(*) FILTER (WHERE v >= 2) FROM (
                    SELECT bucket, profile_id, sum(visits) AS v FROM report_customer_bucket
                    WHERE scope = ANY(\(target.memberScopes)) AND grain = \(grain.code)::"char" AND bucket = ANY(\(days)::date[])
                    GROUP BY 1, 2 HAVING sum(visits) > 0) AS members
                GROUP BY bucket
                """, logger: logger)
            for try await (day, customers, repeaters) in rows.decode((String, Int, Int).self) {
                counts[try ReportDay(parsing: day, field: "bucket"), default: DistinctFigures()].customers = customers
                counts[try ReportDay(parsing: day, field: "bucket"), default: DistinctFigures()].repeatCustomers = repeaters
            }
        }
        let omnichannel = try await connection.query("""
            SELECT to_char(c.bucket, 'YYYY-MM-DD'), count(DISTINCT c.profile_id) FROM report_customer_bucket c
            JOIN report_online_bucket o ON o.grain = c.grain AND o.bucket = c.bucket AND o.profile_id = c.profile_id
            WHERE c.scope = ANY(\(target.memberScopes)) AND c.grain = \(grain.code)::"char" AND c.bucket = ANY(\(days)::date[])
              AND c.visits > 0 AND o.touchpoints > 0
            GROUP BY c.bucket
            """, logger: logger)
        for try await (day, customers) in omnichannel.decode((String, Int).self) {
            counts[try ReportDay(parsing: day, field: "bucket"), default: DistinctFigures()].omnichannelCustomers = customers
        }
        return counts
    }

    /// People counts of any run of days, from the member rows of the grain that tiles it.
    private func rangeCounts(_ target: ReportTarget, grain: ReportGrain, from: ReportDay, to: ReportDay,
                             on connection: PostgresConnection) async throws -> DistinctFigures {
        let rows = try await connection.query("""
            WITH members AS (
                SELECT profile_id, sum(visits) AS v FROM report_customer_bucket
                WHERE scope = ANY(\(target.memberScopes)) AND grain = \(grain.code)::"char"
                  AND bucket BETWEEN \(from.description)::date AND \(to.description)::date
                GROUP BY 1 HAVING sum(visits) > 0)
            SELECT count(*), count(*) FILTER (WHERE v >= 2),
                   count(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM report_online_bucket o WHERE o.profile_id = members.profile_id AND o.grain = \(grain.code)::"char"
                         AND o.bucket BETWEEN \(from.description)::date AND \(to.description)::date AND o.touchpoints > 0))
            FROM members
            """, logger: logger)
        for try await (customers, repeaters, omnichannel) in rows.decode((Int, Int, Int).self) {
            return DistinctFigures(customers: customers, repeatCustomers: repeaters, omnichannelCustomers: omnichannel)
        }
        return DistinctFigures()
    }
}

/// A report's scope resolved to stores: the chain, one store, or a region's stores.
struct ReportTarget: Sendable {
    var description: StoreReport.Scope
    /// Empty for the chain.
    var storeIds: [String]
    var isChain: Bool { description.kind == "chain" }

    /// The member rows to count people from: the chain's own, or each store's.
    var memberScopes: [String] { isChain ? ["*"] : storeIds }
    /// The scope whose counters answer alone, when there is one.
    var singleScope: String? { isChain ? "*" : (description.kind == "store" ? storeIds.first : nil) }

    static func resolve(_ scope: ReportScope, on connection: PostgresConnection, logger: Logger) async throws -> ReportTarget {
        switch scope {
        case .chain:
            return ReportTarget(description: .init(kind: "chain", id: nil, name: nil), storeIds: [])
        case .store(let id):
            let rows = try await connection.query("SELECT name FROM store WHERE id = \(id)", logger: logger).decode(String.self).gathered()
            guard let name = rows.first else { throw HeadOfficeError(.notFound, "head office has no store '\(id.prefix(64))'") }
            return ReportTarget(description: .init(kind: "store", id: id, name: name), storeIds: [id])
        case .region(let region):
            let ids = try await connection.query("SELECT id FROM store WHERE region = \(region) ORDER BY id", logger: logger)
                .decode(String.self).gathered()
            guard !ids.isEmpty else { throw HeadOfficeError(.notFound, "no store is in region '\(region.prefix(64))'") }
            return ReportTarget(description: .init(kind: "region", id: region, name: region), storeIds: ids)
        }
    }
}

extension HeadOfficeDatabase {
    /// Folds the people counters' deltas (`report_compact()`); returns how many rows it removed.
    @discardableResult
    public func compactReports() async throws -> Int {
        try await transaction { connection in
            try await connection.query("SELECT report_compact()", logger: logger).decode(Int.self).gathered().first ?? 0
        }
    }

    /// Recomputes every aggregate from the raw rows, in one transaction (reports wait for it, and never see it half
    /// done). For after a restore, or to prove the aggregates: a rebuild changes no figure.
    public func rebuildReports() async throws {
        try await transaction { connection in
            try await connection.query("SELECT report_rebuild()", logger: logger)
        }
    }
}
