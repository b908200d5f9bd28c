import Foundation
import HeadOffice
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
                for figure in ReportFigure.allCases {
                    let json = try await hq.reportRows(figure, scope: .store("paris"), period: november, limit: 5)
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
                    #expect((object["value"] as? Int) == expected[figure], "\(figure) traced")
                    #expect(((object["rows"] as? [Any])?.count ?? -1) == min(5, object["count"] as? Int ?? -1))
                }
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
