import Foundation
import HeadOffice
import Logging
import ServiceLifecycle

/// A node's background upkeep of the insight tables: folding the people counters' deltas every minute, and
/// re-scoring the RFM segments every `segmentRefreshSeconds`. Nodes do it each on their own timer; an advisory
/// lock lets one refresh run at a time, and a compaction by two nodes at once is harmless.
public struct InsightMaintenance: Service {
    let database: HeadOfficeDatabase
    let compactEvery: Duration
    let refreshSegmentsEvery: Duration
    let logger: Logger

    public init(database: HeadOfficeDatabase, compactEvery: Duration = .seconds(60), refreshSegmentsEvery: Duration = .seconds(3_600),
                logger: Logger = Logger(label: "parcours.hq.insight")) {
        self.database = database
        self.compactEvery = compactEvery
        self.refreshSegmentsEvery = refreshSegmentsEvery
        self.logger = logger
    }

    public func run() async throws {
        let clock = ContinuousClock()
        var nextRefresh = clock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let folded = try await database.compactReports()
                if folded > 0 { logger.debug("report counters compacted", metadata: ["rows": "\(folded)"]) }
                if clock.now >= nextRefresh {
                    if let overview = try await database.refreshSegments() {
                        logger.info("segments refreshed", metadata: ["customers": "\(overview.customers)"])
                    }
                    nextRefresh = clock.now.advanced(by: refreshSegmentsEvery)
                }
            } catch {
                logger.warning("insight upkeep failed; retrying at the next tick", metadata: ["error": "\(error)"])
            }
            let pause = compactEvery
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }
}

