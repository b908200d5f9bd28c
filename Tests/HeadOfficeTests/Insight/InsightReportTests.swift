import Foundation
import HeadOffice
import StoreCore
import PostgresNIO
import Testing

/// The store reports against a second, naive computation from the raw rows, on a chain with the edge cases in it.
@Suite("Insight: store reports agree with the raw rows", .serialized)
struct InsightReportTests {
    static func day(_ text: String) throws -> ReportDay { try ReportDay(parsing: text, field: "test") }

    static let periods: [(String, String, ReportGrain)] = [
        ("2026-11-01", "2026-11-30", .day),      // the month, day by day (empty days at its ends)
        ("2026-11-01", "2026-11-30", .week),     // clipped first and last weeks
        ("2026-11-01", "2026-11-30", .month),    // one whole month: the counters answer
        ("2026-11-03", "2026-11-17", .week),     // a period that tiles nothing
        ("2026-11-02", "2026-11-15", .day),      // whole weeks: the total comes from week members
        ("2026-10-20", "2026-12-05", .month),    // spans three months, two of them clipped
        ("2026-10-01", "2026-10-31", .month),    // an empty period
        ("2026-01-01", "2026-12-31", .quarter),  // a whole year by quarter: the chain's year members answer the total
        ("2026-10-01", "2026-12-31", .month),    // a whole quarter
    ]

    @Test("every figure of every bucket and total, for each store, each region and the chain, equals the naive count; a rebuild changes nothing; each figure's rows give its value")
    func reportsAgree() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let chain = try await InsightChain.build(hq, url: url)
                let naive = try await NaiveReport.load(hq)
                let scopes: [ReportScope] = [.chain, .store("paris"), .store("lyon"), .store("lille"), .region("north"), .region("south")]

                var reports: [String] = []
                for scope in scopes {
                    for (from, to, grain) in Self.periods {
                        let period = try ReportPeriod(from: try Self.day(from), to: try Self.day(to))
                        let report = try await hq.storeReport(scope: scope, period: period, by: grain)
                        let expectedBuckets = period.buckets(by: grain).map { naive.figures(scope, from: $0.start, to: $0.end) }
                        #expect(report.buckets.map(NaiveReport.Figures.init) == expectedBuckets, "\(scope) \(from)…\(to) by \(grain)")
                        #expect(NaiveReport.Figures(report.total) == naive.figures(scope, from: period.from, to: period.to),
                                "total of \(scope) \(from)…\(to) by \(grain)")
                        reports.append(report.csv)
                    }
                }

                // The chain is not trivial: every edge case is in the numbers.
                let november = try ReportPeriod(from: try Self.day("2026-11-01"), to: try Self.day("2026-11-30"))
                let paris = try await hq.storeReport(scope: .store("paris"), period: november, by: .month).total
                let lyon = try await hq.storeReport(scope: .store("lyon"), period: november, by: .month).total
                let lille = try await hq.storeReport(scope: .store("lille"), period: november, by: .month).total
                #expect(lille.nps.responses == 0 && lille.nps.score == nil, "a store with no feedback has no NPS")
                #expect(lyon.nps.responses > 0 && lyon.nps.detractors == lyon.nps.responses && lyon.nps.score == -100)
                #expect(paris.nps.promoters > 0 && paris.nps.passives > 0 && paris.nps.detractors > 0)
                #expect(paris.convertedVisits > 0 && paris.unknownVisits > paris.convertedVisits, "some unknown taps signed up, some never did")
                #expect(paris.kioskSignUps > 0 && paris.kioskSignUps < paris.signUps, "till sign-ups count as sign-ups, not kiosk ones")
                #expect(paris.repeatCustomers > 0 && paris.omnichannelCustomers >= 1, "Marie shops online too")
                #expect(paris.pointsRedeemed > 0 && paris.pointsIssued > 0)
                let empty = try await hq.storeReport(scope: .chain, period: try ReportPeriod(from: try Self.day("2026-10-01"), to: try Self.day("2026-10-31")), by: .month)
                #expect(empty.total.visits == 0 && empty.total.uniqueCustomers == 0 && empty.total.identifiedShare == nil)

                // The merge moved the alias's visits to the survivor: one customer, the alias none.
                let aliasVisits = try await hq.count("SELECT count(*)::bigint FROM visit WHERE profile_id = '\(chain.aliasId)'")
                #expect(aliasVisits == 0)
                #expect(try await hq.count("SELECT count(*)::bigint FROM report_customer_bucket WHERE profile_id = '\(chain.aliasId)' AND visits <> 0") == 0)
                // The erased customer's visits still count, tied to an id that leads to nobody.
                #expect(try await hq.count("SELECT count(*)::bigint FROM visit WHERE profile_id = '\(chain.erasedId)'") > 0)

                // Compacting and rebuilding the aggregates from scratch give the same reports.
                _ = try await hq.compactReports()
                try await hq.rebuildReports()
                var rebuilt: [String] = []
                for scope in scopes {
                    for (from, to, grain) in Self.periods {
                        let period = try ReportPeriod(from: try Self.day(from), to: try Self.day(to))
                        rebuilt.append(try await hq.storeReport(scope: scope, period: period, by: grain).csv)
                    }
                }
                #expect(rebuilt == reports)

                // Each figure traced to its rows gives the figure's own value.
                let totals = NaiveReport.Figures(paris)
                let expected: [ReportFigure: Int] = [
                    .visits: totals.visits, .identifiedVisits: totals.identifiedVisits, .unknownVisits: totals.unknownVisits,
                    .convertedVisits: totals.convertedVisits, .signUps: totals.signUps, .kioskSignUps: totals.kioskSignUps,
                    .feedback: totals.promoters + totals.passives + totals.detractors, .promoters: totals.promoters,
                    .passives: totals.passives, .detractors: totals.detractors, .pointsIssued: totals.pointsIssued,
                    .pointsRedeemed: totals.pointsRedeemed, .uniqueCustomers: totals.uniqueCustomers,
                    .repeatCustomers: totals.repeatCustomers, .omnichannelCustomers: totals.omnichannelCustomers,
                ]
                for figure in ReportFigure.allCases where figure != .onlineOnlyCustomers {
                    let json = try await hq.reportRows(figure, scope: .store("paris"), period: november, limit: 5)
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
                    #expect((object["value"] as? Int) == expected[figure], "\(figure) traced")
                    #expect(((object["rows"] as? [Any])?.count ?? -1) == min(5, object["count"] as? Int ?? -1))
                }
                // Online only is the chain's: a store cannot tell, and says so; the chain's rows give its value.
                #expect(paris.onlineOnlyCustomers == nil)
                await #expect(throws: HeadOfficeError.self) {
                    _ = try await hq.reportRows(.onlineOnlyCustomers, scope: .store("paris"), period: november)
                }
                let chainTotal = try await hq.storeReport(scope: .chain, period: november, by: .month).total
                #expect((chainTotal.onlineOnlyCustomers ?? 0) >= 1, "the web shop's customer who never came is online only")
                let onlineOnly = try await hq.reportRows(.onlineOnlyCustomers, scope: .chain, period: november, limit: 100)
                let onlineObject = try #require(try JSONSerialization.jsonObject(with: Data(onlineOnly.utf8)) as? [String: Any])
                #expect((onlineObject["value"] as? Int) == chainTotal.onlineOnlyCustomers)
                let onlineIds = ((onlineObject["rows"] as? [[String: Any]]) ?? []).compactMap { $0["profileId"] as? String }
                #expect(onlineIds.contains(chain.onlineOnlyId.uuidString.lowercased()))

                // Traffic on both sides of November: a report by month, quarter or year adds the months' roll-ups of
                // its whole months to the days of its clipped ones, and must still equal the naive count.
                let (parisStore, lyonStore) = (chain.stores[0], chain.stores[1])
                for (store, card, at) in [(parisStore, "04B1A031", "2026-10-31T10:00:00Z"), (parisStore, "04B1B201", "2026-12-01T09:00:00Z"),
                                          (lyonStore, "04B1C201", "2026-12-01T11:00:00Z"), (lyonStore, "04B1C202", "2026-12-20T11:00:00Z")] {
                    _ = try await store.tap(TapIdentifiers(cardUID: card), at: try Date(at, strategy: .iso8601))
                }
                try await parisStore.sync()
                try await lyonStore.sync()
                let around = try await NaiveReport.load(hq)
                let spanning: [(String, String, ReportGrain)] = [
                    ("2026-10-15", "2026-12-10", .month), ("2026-10-31", "2026-12-01", .quarter), ("2026-01-01", "2026-12-31", .year),
                    ("2026-10-01", "2026-12-31", .month), ("2026-11-10", "2026-12-31", .quarter), ("2026-10-31", "2026-12-31", .week),
                ]
                func spanningReports() async throws -> [String] {
                    var csv: [String] = []
                    for scope in scopes {
                        for (from, to, grain) in spanning {
                            let period = try ReportPeriod(from: try Self.day(from), to: try Self.day(to))
                            let report = try await hq.storeReport(scope: scope, period: period, by: grain)
                            #expect(report.buckets.map(NaiveReport.Figures.init) == period.buckets(by: grain).map { around.figures(scope, from: $0.start, to: $0.end) },
                                    "\(scope) \(from)…\(to) by \(grain)")
                            #expect(NaiveReport.Figures(report.total) == around.figures(scope, from: period.from, to: period.to),
                                    "total of \(scope) \(from)…\(to) by \(grain)")
                            csv.append(report.csv)
                        }
                    }
                    return csv
                }
                let beforeCompaction = try await spanningReports()
                // The months' deltas always add up to their days, and compaction folds them to one row each.
                let drift = """
                    SELECT count(*)::bigint FROM (
                        SELECT store_id, report_month(day) AS month, sum(visits) AS visits, sum(points_issued) AS issued, sum(promoters) AS promoters
                        FROM report_store_day GROUP BY 1, 2) AS d
                    FULL JOIN (
                        SELECT store_id, month, sum(visits) AS visits, sum(points_issued) AS issued, sum(promoters) AS promoters
                        FROM report_store_month GROUP BY 1, 2) AS m USING (store_id, month)
                    WHERE d.visits IS DISTINCT FROM m.visits OR d.issued IS DISTINCT FROM m.issued OR d.promoters IS DISTINCT FROM m.promoters
                    """
                #expect(try await hq.count(drift) == 0)
                #expect(try await hq.count("SELECT count(*)::bigint FROM report_store_month") > 6, "one delta per statement before compaction")
                _ = try await hq.compactReports()
                #expect(try await hq.count("SELECT count(*)::bigint FROM (SELECT 1 FROM report_store_month GROUP BY store_id, month HAVING count(*) > 1) AS m") == 0)
                #expect(try await hq.count("SELECT count(*)::bigint FROM (SELECT 1 FROM report_store_month_kind GROUP BY store_id, month, kind HAVING count(*) > 1) AS m") == 0)
                #expect(try await hq.count(drift) == 0)
                #expect(try await spanningReports() == beforeCompaction)
            }
        }
    }

    @Test("a report refuses what it cannot answer, naming the problem")
    func refusals() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            #expect(throws: HeadOfficeError.self) { try ReportDay(parsing: "2026-02-30", field: "from") }
            #expect(throws: HeadOfficeError.self) { try ReportDay(parsing: "01/11/2026", field: "from") }
            #expect(throws: HeadOfficeError.self) { try ReportPeriod(from: try Self.day("2026-11-02"), to: try Self.day("2026-11-01")) }
            let period = try ReportPeriod(from: try Self.day("2026-11-01"), to: try Self.day("2026-11-30"))
            await #expect(throws: HeadOfficeError.self) { try await hq.storeReport(scope: .store("nowhere"), period: period, by: .day) }
            await #expect(throws: HeadOfficeError.self) { try await hq.storeReport(scope: .region("atlantis"), period: period, by: .day) }
        }
    }

    @Test("weeks start on Monday and months on the 1st, clipped to the period")
    func buckets() throws {
        let period = try ReportPeriod(from: try Self.day("2026-11-03"), to: try Self.day("2026-11-17"))
        let weeks = period.buckets(by: .week).map { "\($0.start) \($0.end) \($0.whole)" }
        #expect(weeks == ["2026-11-03 2026-11-08 false", "2026-11-09 2026-11-15 true", "2026-11-16 2026-11-17 false"])
        let months = try ReportPeriod(from: try Self.day("2024-02-10"), to: try Self.day("2024-03-31")).buckets(by: .month)
        #expect(months.map { "\($0.start) \($0.end) \($0.whole)" } == ["2024-02-10 2024-02-29 false", "2024-03-01 2024-03-31 true"])
    }
}
