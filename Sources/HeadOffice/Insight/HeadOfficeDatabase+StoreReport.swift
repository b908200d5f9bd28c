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
                                     distinct: distinct[bucket.start] ?? DistinctFigures(onlineCustomers: target.isChain ? 0 : nil),
                                     tapsByKind: kinds[key] ?? [:])
            }
            let totalDistinct: DistinctFigures
            if buckets.count == 1 {
                totalDistinct = distinct[buckets[0].start] ?? DistinctFigures(onlineCustomers: target.isChain ? 0 : nil)
            } else {
                totalDistinct = try await rangeCounts(target, grain: period.tilingGrain, from: period.from, to: period.to, on: connection)
            }
            let totalKinds = kinds.values.reduce(into: [String: Int]()) { sum, byKind in sum.merge(byKind, uniquingKeysWith: +) }
            let total = ReportFigures(start: period.from, end: period.to, additive: additive.values.reduce(AdditiveFigures(), +),
                                      distinct: totalDistinct, tapsByKind: totalKinds)
            return StoreReport(scope: target.description, from: period.from, to: period.to, by: grain, buckets: figures, total: total)
        }
    }

    /// Sums of the per-store rows, keyed by the (unclipped) start of each bucket: the months' roll-ups for the whole
    /// months of a report by month, quarter or year, and the days for the rest.
    private func additiveFigures(_ target: ReportTarget, period: ReportPeriod, grain: ReportGrain,
                                 on connection: PostgresConnection) async throws -> [ReportDay: AdditiveFigures] {
        let split = MonthSplit(period, grain: grain)
        let columns = "visits, identified_visits, unknown_visits, converted_visits, sign_ups, kiosk_sign_ups, promoters, passives, detractors, points_issued, points_redeemed"
        let rows = try await connection.query("""
            SELECT to_char(\(unescaped: grain.bucket(of: "d")), 'YYYY-MM-DD'),
                   sum(visits)::bigint, sum(identified_visits)::bigint, sum(unknown_visits)::bigint, sum(converted_visits)::bigint,
                   sum(sign_ups)::bigint, sum(kiosk_sign_ups)::bigint, sum(promoters)::bigint, sum(passives)::bigint,
                   sum(detractors)::bigint, sum(points_issued)::bigint, sum(points_redeemed)::bigint
            FROM (SELECT month AS d, \(unescaped: columns) FROM report_store_month
                  WHERE month BETWEEN \(split.firstMonth)::date AND \(split.lastMonth)::date
                    AND (\(target.isChain) OR store_id = ANY(\(target.storeIds)))
                  UNION ALL
                  SELECT day, \(unescaped: columns) FROM report_store_day
                  WHERE day BETWEEN \(period.from.description)::date AND \(period.to.description)::date
                    AND NOT day BETWEEN \(split.firstMonth)::date AND \(split.lastMonthEnd)::date
                    AND (\(target.isChain) OR store_id = ANY(\(target.storeIds)))) AS rows
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
        let split = MonthSplit(period, grain: grain)
        let rows = try await connection.query("""
            SELECT to_char(\(unescaped: grain.bucket(of: "d")), 'YYYY-MM-DD'), kind, sum(taps)::bigint
            FROM (SELECT month AS d, kind, taps FROM report_store_month_kind
                  WHERE month BETWEEN \(split.firstMonth)::date AND \(split.lastMonth)::date
                    AND (\(target.isChain) OR store_id = ANY(\(target.storeIds)))
                  UNION ALL
                  SELECT day, kind, taps FROM report_store_day_kind
                  WHERE day BETWEEN \(period.from.description)::date AND \(period.to.description)::date
                    AND NOT day BETWEEN \(split.firstMonth)::date AND \(split.lastMonthEnd)::date
                    AND (\(target.isChain) OR store_id = ANY(\(target.storeIds)))) AS rows
            GROUP BY 1, 2 HAVING sum(taps) <> 0
            """, logger: logger)
        var kinds: [ReportDay: [String: Int]] = [:]
        for try await (day, kind, taps) in rows.decode((String, String, Int).self) {
            kinds[try ReportDay(parsing: day, field: "bucket"), default: [:]][kind] = taps
        }
        return kinds
    }

    /// People counts of whole buckets: the counters of the scope's member rows (v9 gave stores rows for every grain).
    /// Store and region rows carry the chain's touchpoints, so their omnichannel figure is a counter too.
    private func wholeBucketCounts(_ target: ReportTarget, grain: ReportGrain, starts: [ReportDay],
                                   on connection: PostgresConnection) async throws -> [ReportDay: DistinctFigures] {
        guard !starts.isEmpty else { return [:] }
        let days = starts.map(\.description)
        var counts: [ReportDay: DistinctFigures] = [:]
        let rows = try await connection.query("""
            SELECT to_char(bucket, 'YYYY-MM-DD'), sum(customers)::bigint, sum(repeat_customers)::bigint, sum(omnichannel_customers)::bigint,
                   sum(online_customers)::bigint
            FROM report_bucket_delta
            WHERE scope = \(target.memberScope) AND grain = \(grain.code)::"char" AND bucket = ANY(\(days)::date[])
            GROUP BY bucket
            """, logger: logger)
        for try await (day, customers, repeaters, omnichannel, online) in rows.decode((String, Int, Int, Int, Int).self) {
            counts[try ReportDay(parsing: day, field: "bucket")] =
                DistinctFigures(customers: customers, repeatCustomers: repeaters, omnichannelCustomers: omnichannel,
                                onlineCustomers: target.isChain ? online : nil)
        }
        if target.isChain {
            // A period nobody came to or was seen online in has no rows, and still has its zero.
            for start in starts where counts[start] == nil { counts[start] = DistinctFigures(onlineCustomers: 0) }
        }
        return counts
    }

    /// People counts of a run of days, from the member rows of a grain that tiles it, or from the counters when the
    /// run is one whole bucket of that grain.
    private func rangeCounts(_ target: ReportTarget, grain: ReportGrain, from: ReportDay, to: ReportDay,
                             on connection: PostgresConnection) async throws -> DistinctFigures {
        if from == from.start(of: grain), to == from.end(of: grain) {
            let counts = try await wholeBucketCounts(target, grain: grain, starts: [from], on: connection)
            return counts[from] ?? DistinctFigures(onlineCustomers: target.isChain ? 0 : nil)
        }
        return target.isChain
            ? try await chainRangeCounts(grain: grain, from: from.description, to: to.description, on: connection)
            : try await scopeRangeCounts(target, grain: grain, from: from.description, to: to.description, on: connection)
    }

    /// The chain's people in a run of days. The chain's members count everyone, online only included, so the same
    /// rows say who was seen online. (One pass for a report's clipped buckets and total together, with a FILTER per
    /// run, was tried: at 3 M visits the chain's 15 clipped days took 270–301 ms with it, against 110 ms this way
    /// on v8's schema. The cause was not found.)
    private func chainRangeCounts(grain: ReportGrain, from: String, to: String,
                                  on connection: PostgresConnection) async throws -> DistinctFigures {
        let rows = try await connection.query("""
            SELECT count(*) FILTER (WHERE v > 0), count(*) FILTER (WHERE v >= 2), count(*) FILTER (WHERE v > 0 AND online),
                   count(*) FILTER (WHERE online) FROM (
                SELECT profile_id, sum(visits) AS v, bool_or(touchpoints > 0) AS online FROM report_customer_bucket
                WHERE scope = '*' AND grain = \(grain.code)::"char"
                  AND bucket BETWEEN \(from)::date AND \(to)::date
                GROUP BY 1) AS members
            """, logger: logger)
        for try await (customers, repeaters, omnichannel, online) in rows.decode((Int, Int, Int, Int).self) {
            return DistinctFigures(customers: customers, repeatCustomers: repeaters, omnichannelCustomers: omnichannel,
                                   onlineCustomers: online)
        }
        return DistinctFigures(onlineCustomers: 0)
    }

    /// A store's or region's people in a run of days. Seen online in any of the run's buckets, not only in those the
    /// person came to a store in: the chain's rows say (a store's or region's rows copy the chain's touchpoints, so
    /// any scope's row with touchpoints answers the same).
    private func scopeRangeCounts(_ target: ReportTarget, grain: ReportGrain, from: String, to: String,
                                  on connection: PostgresConnection) async throws -> DistinctFigures {
        let rows = try await connection.query("""
                WITH members AS (
                    SELECT profile_id, sum(visits) AS v FROM report_customer_bucket
                    WHERE scope = \(target.memberScope) AND grain = \(grain.code)::"char"
                      AND bucket BETWEEN \(from)::date AND \(to)::date
                    GROUP BY 1 HAVING sum(visits) > 0)
                SELECT count(*), count(*) FILTER (WHERE v >= 2),
                       count(*) FILTER (WHERE EXISTS (
                           SELECT 1 FROM report_customer_bucket o WHERE o.profile_id = members.profile_id AND o.grain = \(grain.code)::"char"
                             AND o.bucket BETWEEN \(from)::date AND \(to)::date AND o.touchpoints > 0))
                FROM members
                """, logger: logger)
        for try await (customers, repeaters, omnichannel) in rows.decode((Int, Int, Int).self) {
            return DistinctFigures(customers: customers, repeatCustomers: repeaters, omnichannelCustomers: omnichannel)
        }
        return DistinctFigures()
    }
}

/// Which days of a report the months' roll-ups answer: the whole months of a report by month, quarter or year
/// (they nest in its buckets; weeks and days do not). The days' rows answer the rest. With no whole month, the
/// month range is empty (first after last) and excludes no day.
struct MonthSplit {
    var firstMonth: String
    var lastMonth: String
    var lastMonthEnd: String

    init(_ period: ReportPeriod, grain: ReportGrain) {
        if [.month, .quarter, .year].contains(grain), let months = period.wholeMonths {
            firstMonth = months.first.description
            lastMonth = months.last.description
            lastMonthEnd = months.last.end(of: .month).description
        } else {
            firstMonth = period.to.adding(days: 1).description
            lastMonth = period.to.description
            lastMonthEnd = period.to.description
        }
    }
}

/// A report's scope resolved to stores: the chain, one store, or a region's stores.
struct ReportTarget: Sendable {
    var description: StoreReport.Scope
    /// Empty for the chain.
    var storeIds: [String]
    var isChain: Bool { description.kind == "chain" }

    /// The scope of the member rows to count people from, and of their counters: the chain's, a region's (v8), or
    /// the store's (every grain since v9).
    var memberScope: String {
        switch description.kind {
        case "chain": "*"
        case "region": "region:" + (description.id ?? "")
        default: storeIds.first ?? ""
        }
    }

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

extension ReportGrain {
    /// SQL for the first day of the grain's period holding the date in `column` (a column name, never user input).
    func bucket(of column: String) -> String {
        switch self {
        case .day: column
        case .week: "report_week(\(column))"
        case .month: "report_month(\(column))"
        case .quarter: "report_quarter(\(column))"
        case .year: "report_year(\(column))"
        }
    }
}
