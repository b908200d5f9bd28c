import Foundation
import HeadOffice
import Logging
import PostgresNIO

/// Head-office insight at chain scale: every report and a 1 000-touchpoint timeline, timed on a database of
/// `PARCOURS_BENCH_INSIGHT_VISITS` visits (default 10 M) by `PARCOURS_BENCH_INSIGHT_CUSTOMERS` customers (1 M)
/// in `PARCOURS_BENCH_INSIGHT_STORES` stores (200) over the year 2026, loaded through the aggregate triggers in
/// chunks; and the triggers' own cost, as the time to insert visits with and without them.
/// `PARCOURS_BENCH_INSIGHT_KEEP=1` keeps the database (its name goes to stderr) to study its plans.
enum InsightBenchmarks {
    static func run() async throws -> [String] {
        let environment = ProcessInfo.processInfo.environment
        guard let baseURL = environment["PARCOURS_BENCH_DATABASE_URL"], !baseURL.isEmpty else {
            throw BenchError("insight: set PARCOURS_BENCH_DATABASE_URL (make bench passes config/postgres/pg-cluster's)")
        }
        let visits = max(100_000, Int(environment["PARCOURS_BENCH_INSIGHT_VISITS"] ?? "") ?? 10_000_000)
        let customers = max(10_000, Int(environment["PARCOURS_BENCH_INSIGHT_CUSTOMERS"] ?? "") ?? 1_000_000)
        let stores = max(10, Int(environment["PARCOURS_BENCH_INSIGHT_STORES"] ?? "") ?? 200)
        let logger = TapBenchmarks.quietLogger()
        let postgres = BenchPostgres(baseURL: baseURL, logger: logger)
        let header = ["insight on \(try await postgres.serverDescription())",
                      "  data: \(visits) visits, \(customers) customers, \(stores) stores in \(stores / 20) regions, over 2026 (UTC days)"]
        return try await postgres.withFreshDatabase(keep: environment["PARCOURS_BENCH_INSIGHT_KEEP"] == "1") { database, client in
            let load = try await InsightLoad(client: client, logger: logger, visits: visits, customers: customers, stores: stores).run()
            return header + load + (try await timings(database, client: client, stores: stores, logger: logger))
        }
    }

    static func timings(_ database: HeadOfficeDatabase, client: PostgresClient, stores: Int, logger: Logger) async throws -> [String] {
        func day(_ text: String) throws -> ReportDay { try ReportDay(parsing: text, field: "bench") }
        let november = try ReportPeriod(from: try day("2026-11-01"), to: try day("2026-11-30"))
        let quarter = try ReportPeriod(from: try day("2026-07-01"), to: try day("2026-09-30"))
        let year = try ReportPeriod(from: try day("2026-01-01"), to: try day("2026-12-31"))
        let fortnight = try ReportPeriod(from: try day("2026-11-03"), to: try day("2026-11-17"))
        let cases: [(String, ReportScope, ReportPeriod, ReportGrain)] = [
            ("one store, a month by day", .store("st001"), november, .day),
            ("one store, the year by month", .store("st001"), year, .month),
            ("a region (20 stores), a quarter by week", .region("region-01"), quarter, .week),
            ("the chain, a month by day", .chain, november, .day),
            ("the chain, a month as one bucket", .chain, november, .month),
            ("the chain, 15 days by day (clipped weeks and months)", .chain, fortnight, .week),
            ("the chain, the year by month", .chain, year, .month),
        ]
        var lines = ["  report times, median of 5 (and the slowest), warm cache; goal < 500 ms each:"]
        for (label, scope, period, grain) in cases {
            var samples = Samples()
            for _ in 0..<5 {
                let clock = ContinuousClock()
                let began = clock.now
                _ = try await database.storeReport(scope: scope, period: period, by: grain)
                samples.add(clock.now - began)
            }
            lines.append("    \(label): \(format(samples.median, digits: 1)) (max \(format(samples.percentile(100), digits: 1))) \(samples.median < 500 ? "met" : "NOT met")")
        }
        let extras: [(String, @Sendable () async throws -> Void)] = [
            ("comments, the chain's latest 50 of a month", { _ = try await database.reportComments(scope: .chain, period: november) }),
            ("segment sizes", { _ = try await database.segmentOverview() }),
            ("an email campaign export (At Risk, consenting only)", { _ = try await database.segmentMembers("At Risk", purpose: "marketingEmail") }),
            ("rows behind a store-month's visits (first 100)", { _ = try await database.reportRows(.visits, scope: .store("st001"), period: november) }),
        ]
        for (label, body) in extras {
            var samples = Samples()
            for _ in 0..<5 {
                let clock = ContinuousClock()
                let began = clock.now
                try await body()
                samples.add(clock.now - began)
            }
            lines.append("    \(label): \(format(samples.median, digits: 1))")
        }
        var timeline = Samples()
        let heavy = InsightLoad.heavyCustomer
        for _ in 0..<9 {
            let clock = ContinuousClock()
            let began = clock.now
            let view = try await database.customerView(id: heavy)
            timeline.add(clock.now - began)
            guard view.timeline.count >= 1_000 else { throw BenchError("insight: the heavy customer has only \(view.timeline.count) touchpoints") }
        }
        lines.append("  360° view with a 1 000-touchpoint timeline: \(format(timeline.median, digits: 1)) median of 9 (goal < 50 ms: \(timeline.median < 50 ? "met" : "NOT met"))")
        return lines
    }
}

/// Loads the synthetic chain with set-based SQL, through the triggers, in chunks; reports what loading cost.
struct InsightLoad {
    static let heavyCustomer = UUID(uuidString: "00000000-0000-4000-8000-00000000beef")!
    let client: PostgresClient
    let logger: Logger
    let visits: Int
    let customers: Int
    let stores: Int

    func sql(_ text: String) async throws {
        try await client.query(PostgresQuery(unsafeSQL: text), logger: logger)
    }

    func timed(_ text: String) async throws -> Double {
        let clock = ContinuousClock()
        let began = clock.now
        try await sql(text)
        return (clock.now - began).milliseconds / 1_000
    }

    func run() async throws -> [String] {
        var lines: [String] = []
        HeadOfficeBenchmarks.progress("insight: stores, customers, identifiers…")
        try await sql("""
            INSERT INTO store (id, name, region, public_key)
            SELECT 'st' || lpad(i::text, 3, '0'), 'Store ' || i, 'region-' || lpad((1 + (i - 1) / 20)::text, 2, '0'), 'bench'
            FROM generate_series(1, \(stores)) AS i
            """)
        let profiles = try await timed("""
            INSERT INTO profile (id, first_name, email, language, created_at, updated_at, origin, origin_store_id, signup_origin)
            SELECT md5('p' || i)::uuid, 'C' || i, 'c' || i || '@example.com', 'fr',
                   timestamptz '2025-06-01' + (hashint8(i) & 65535) * interval '10 minutes', now(),
                   CASE WHEN i % 10 = 0 THEN 'ecommerce' ELSE 'store' END,
                   CASE WHEN i % 10 = 0 THEN NULL ELSE 'st' || lpad((1 + (hashint8(i * 7) & 2147483647) % \(stores))::text, 3, '0') END,
                   CASE WHEN i % 10 = 0 THEN NULL WHEN i % 3 = 0 THEN 'till' ELSE 'kiosk' END
            FROM generate_series(1, \(customers)) AS i
            """)
        lines.append("  load: \(customers) profiles in \(String(format: "%.1f", profiles)) s")

        // Visits in time order and in chunks, as stores sync them through the year: 70% by known customers, the rest
        // anonymous, every card kind.
        let chunk = 500_000
        var withTriggers: [Double] = []
        for start in stride(from: 0, to: visits, by: chunk) {
            HeadOfficeBenchmarks.progress("insight: visits \(start)…\(min(visits, start + chunk)) of \(visits)")
            withTriggers.append(try await timed(visitInsert(table: "visit", from: start, count: min(chunk, visits - start))))
        }
        let total = withTriggers.reduce(0, +)
        // The same rows once more into a plain copy of the table without the triggers: the triggers' share.
        try await sql("CREATE TABLE visit_plain (LIKE visit INCLUDING DEFAULTS INCLUDING INDEXES)")
        let plain = try await timed(visitInsert(table: "visit_plain", from: 0, count: chunk))
        let last = withTriggers.last ?? 0
        lines.append("  load: \(visits) visits through the triggers in \(String(format: "%.0f", total)) s; the last chunk of \(chunk): \(String(format: "%.1f", last)) s with the aggregates, \(String(format: "%.1f", plain)) s into the same table without them: \(String(format: "%.1f", (last - plain) * 1e6 / Double(chunk))) µs of aggregate upkeep per visit at full size")
        try await sql("DROP TABLE visit_plain")
        // Whether upkeep grows with the data shows in the chunks' times, first to last.
        lines.append("  load: each chunk of \(chunk) through the triggers, in order (s): " + withTriggers.map { String(format: "%.1f", $0) }.joined(separator: " "))

        HeadOfficeBenchmarks.progress("insight: attribution, feedback, ledger, purchases, touchpoints…")
        let attribution = try await timed("""
            UPDATE visit SET profile_id = md5('p' || (1 + (hashint8(ordinality) & 2147483647) % \(customers)))::uuid
            FROM (SELECT id, row_number() OVER () AS ordinality FROM visit WHERE profile_id IS NULL LIMIT 100000) AS anonymous
            WHERE visit.id = anonymous.id
            """)
        lines.append("  load: 100 000 anonymous visits attributed to the customers who later signed up, in \(String(format: "%.1f", attribution)) s")
        let rest = try await timed("""
            INSERT INTO feedback (id, store_id, score, comment, language, kiosk_device_id, profile_id, at)
            SELECT md5('f' || i)::uuid, 'st' || lpad((1 + i % \(stores))::text, 3, '0'), (hashint8(i) & 2147483647) % 11,
                   CASE WHEN i % 4 = 0 THEN 'Comment ' || i END, 'fr', 'kiosk-1',
                   CASE WHEN i % 2 = 0 THEN md5('p' || (1 + i % \(customers)))::uuid END,
                   timestamptz '2026-01-01' + ((hashint8(i * 3) & 2147483647) % 31536000) * interval '1 second'
            FROM generate_series(1, \(visits / 20)) AS i
            """)
        try await sql("""
            INSERT INTO purchase (id, store_id, till_device_id, receipt_id, amount_minor, currency, profile_id, points_earned, at)
            SELECT md5('b' || i)::uuid, 'st' || lpad((1 + i % \(stores))::text, 3, '0'), 'till-1', 'R' || i,
                   500 + (hashint8(i) & 2147483647) % 20000, 'EUR', md5('p' || (1 + (hashint8(i * 5) & 2147483647) % \(customers)))::uuid,
                   10, timestamptz '2026-01-01' + ((hashint8(i * 3) & 2147483647) % 31536000) * interval '1 second'
            FROM generate_series(1, \(visits / 4)) AS i
            """)
        try await sql("""
            INSERT INTO ledger_entry (id, profile_id, store_id, delta, reason, at)
            SELECT md5('l' || i)::uuid, md5('p' || (1 + (hashint8(i * 5) & 2147483647) % \(customers)))::uuid,
                   'st' || lpad((1 + i % \(stores))::text, 3, '0'),
                   CASE WHEN i % 10 = 0 THEN -250 ELSE 10 END, CASE WHEN i % 10 = 0 THEN 'redemption' ELSE 'purchase' END,
                   timestamptz '2026-01-01' + ((hashint8(i * 3) & 2147483647) % 31536000) * interval '1 second'
            FROM generate_series(1, \(visits / 4)) AS i
            """)
        try await sql("""
            INSERT INTO touchpoint (id, profile_id, kind, at, detail)
            SELECT md5('t' || i)::uuid, md5('p' || (1 + (hashint8(i * 11) & 2147483647) % (\(customers) / 5)))::uuid,
                   (ARRAY['webVisit', 'onlineOrder', 'emailClick'])[1 + i % 3],
                   timestamptz '2026-01-01' + ((hashint8(i * 3) & 2147483647) % 31536000) * interval '1 second',
                   CASE WHEN i % 3 = 1 THEN jsonb_build_object('amountMinor', 4599, 'currency', 'EUR') END
            FROM generate_series(1, \(visits / 10)) AS i
            """)
        try await sql("""
            INSERT INTO consent (id, profile_id, purpose, granted, at, source)
            SELECT md5('c' || i)::uuid, md5('p' || i)::uuid, 'marketingEmail', i % 3 <> 0, timestamptz '2026-01-01', 'bench'
            FROM generate_series(1, \(customers)) AS i
            """)
        try await heavyCustomer()
        lines.append("  load: feedback (\(visits / 20)), purchases and ledger (\(visits / 4) each), touchpoints (\(visits / 10)), consents: \(String(format: "%.0f", rest)) s for the feedback alone")
        let compact = try await timed("SELECT report_compact()")
        try await sql("VACUUM ANALYZE")
        lines.append("  upkeep: counters compacted in \(String(format: "%.1f", compact)) s")
        let clock = ContinuousClock()
        let began = clock.now
        let database = HeadOfficeDatabase(client: client, logger: logger)
        _ = try await database.refreshSegments(asOf: try Date("2027-01-01T00:00:00Z", strategy: .iso8601))
        lines.append("  upkeep: RFM segments of \(customers) customers refreshed in \(String(format: "%.1f", (clock.now - began).milliseconds / 1_000)) s")
        return lines
    }

    func visitInsert(table: String, from: Int, count: Int) -> String {
        """
        INSERT INTO \(table) (id, store_id, device_id, identifier_id, profile_id, at, identifier_kind)
        SELECT md5('v' || i)::uuid, 'st' || lpad((1 + (hashint8(i) & 2147483647) % \(stores))::text, 3, '0'), 'kiosk-1',
               md5('i' || (i % 3000000))::uuid,
               CASE WHEN i % 10 < 7 THEN md5('p' || (1 + (hashint8(i * 13) & 2147483647) % \(customers)))::uuid END,
               timestamptz '2026-01-01' + (((i - 1) * 31536000 / \(visits) + (hashint8(i * 3) & 4095)) % 31536000) * interval '1 second',
               (ARRAY['loyaltyCard', 'paymentToken', 'appDevice', 'sunTag', 'cardUID'])[1 + i % 5]
        FROM generate_series(\(from + 1)::bigint, \(from + count)::bigint) AS i
        """
    }

    /// One customer with 1 000 touchpoints across channels: 500 visits, 200 purchases, 100 feedback, 200 online.
    func heavyCustomer() async throws {
        let id = Self.heavyCustomer.uuidString.lowercased()
        try await sql("""
            INSERT INTO profile (id, first_name, email, language, created_at, updated_at, origin, origin_store_id, signup_origin)
            VALUES ('\(id)', 'Heavy', 'heavy@example.com', 'fr', '2025-01-01', now(), 'store', 'st001', 'kiosk')
            """)
        try await sql("""
            INSERT INTO visit (id, store_id, device_id, identifier_id, profile_id, at, identifier_kind)
            SELECT md5('hv' || i)::uuid, 'st' || lpad((1 + i % 5)::text, 3, '0'), 'kiosk-1', md5('hi')::uuid, '\(id)',
                   timestamptz '2026-01-01' + i * interval '17 hours', 'loyaltyCard' FROM generate_series(1, 500) AS i
            """)
        try await sql("""
            INSERT INTO purchase (id, store_id, till_device_id, receipt_id, amount_minor, currency, profile_id, points_earned, at)
            SELECT md5('hb' || i)::uuid, 'st001', 'till-1', 'H' || i, 2500, 'EUR', '\(id)', 25,
                   timestamptz '2026-01-01' + i * interval '41 hours' FROM generate_series(1, 200) AS i
            """)
        try await sql("""
            INSERT INTO feedback (id, store_id, score, comment, language, kiosk_device_id, profile_id, at)
            SELECT md5('hf' || i)::uuid, 'st001', i % 11, 'Note ' || i, 'fr', 'kiosk-1', '\(id)',
                   timestamptz '2026-01-01' + i * interval '83 hours' FROM generate_series(1, 100) AS i
            """)
        try await sql("""
            INSERT INTO touchpoint (id, profile_id, kind, at)
            SELECT md5('ht' || i)::uuid, '\(id)', 'webVisit', timestamptz '2026-01-01' + i * interval '40 hours'
            FROM generate_series(1, 200) AS i
            """)
    }
}
