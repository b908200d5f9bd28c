import ChainSimulator
import Foundation
import HeadOffice
import Testing

/// The demo chain against a real head office: every store event arrives, the web shop's customers merge with
/// their store profiles, and one seed always plays the same traffic.
@Suite struct ChainSimulatorTests {
    /// Two stores, two days that ended before today, on a fresh head-office database.
    static func seedChain(seed: UInt64) async throws -> (summary: ChainSummary, events: Int, merges: Int, comments: Int, touchpoints: Int) {
        try await HeadOfficeHarness.withDatabase { headOffice in
            try await HeadOfficeHarness.withServer(headOffice) { url in
                var stores: [ChainStore] = []
                for (id, region) in [("sim-north", "North"), ("sim-south", "South")] {
                    let credential = try await headOffice.addStore(id: id, name: "Store \(id)", region: region)
                    stores.append(ChainStore(id: id, name: "Store \(id)", region: region, credential: credential))
                }
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                let start = calendar.startOfDay(for: Date()).addingTimeInterval(-3 * 86_400)
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-chain-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: directory) }
                let simulation = ChainSimulation(stores: stores, headOffice: url, days: 2, start: start, directory: directory,
                                                 seed: seed, shoppersPerStore: 40, logger: HeadOfficeHarness.quietLogger("demo"))
                let summary = try await simulation.run(importDigitalProfiles: { file in
                    let report = try await DigitalImporter(database: headOffice).importFile(file.path, kind: .profiles)
                    #expect(report.failures.isEmpty, "the simulator wrote profiles head office refuses: \(report.failures.prefix(3))")
                })
                return (summary,
                        try await headOffice.count("SELECT count(*)::bigint FROM store_event"),
                        try await headOffice.count("SELECT count(*)::bigint FROM profile_merge"),
                        try await headOffice.count("SELECT count(*)::bigint FROM feedback WHERE comment IS NOT NULL"),
                        try await headOffice.count("SELECT count(*)::bigint FROM touchpoint"))
            }
        }
    }

    @Test func aSeededChainReachesHeadOfficeWholeAndItsWebShoppersMerge() async throws {
        let first = try await Self.seedChain(seed: 11)
        #expect(first.summary.counts.taps > 0 && first.summary.counts.signUps > 0 && first.summary.counts.purchases > 0)
        #expect(first.events == first.summary.eventsPushed, "head office holds \(first.events) events, the stores pushed \(first.summary.eventsPushed)")
        #expect(first.merges > 0, "no web shopper merged with a store profile")
        #expect(first.comments > 0)
        #expect(first.touchpoints > 0)
        #expect(first.summary.digitalProfiles > 0)

        let again = try await Self.seedChain(seed: 11)
        #expect(again.summary.counts == first.summary.counts, "the same seed played other traffic")
        #expect(again.events == first.events && again.merges == first.merges && again.touchpoints == first.touchpoints)
    }
}
