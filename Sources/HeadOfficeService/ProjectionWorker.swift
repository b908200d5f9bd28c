import Foundation
import HeadOffice
import Logging
import PostgresNIO
import ServiceLifecycle

/// A node's background application of the events stores have pushed: a push is acknowledged once its events are
/// stored, and this applies them to profiles, visits, the ledger, the feed and the reports soon after.
///
/// Every node runs one; they share the work through each store's projection lock (migration v10), so a store's
/// events are applied by one session at a time, in sequence order, and a store another node is on is skipped. A
/// store's pull also applies what is pending for it first, so it reads the feed its own pushes made.
public struct ProjectionWorker: Service {
    let database: HeadOfficeDatabase
    let idlePause: Duration
    let logger: Logger

    /// `idlePause`: how long to wait, once every store is caught up, before looking again.
    public init(database: HeadOfficeDatabase, idlePause: Duration = .milliseconds(100),
                logger: Logger = Logger(label: "parcours.hq.projection")) {
        self.database = database
        self.idlePause = idlePause
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let pause: Duration
            do {
                pause = try await catchUpOnce() == 0 ? idlePause : .zero
            } catch is CancellationError {
                return
            } catch {
                // A failing store keeps its events stored and its mark where it was; the next round tries again.
                // PSQLError's description hides the server's message, which is what an operator needs here.
                let why = (error as? PSQLError).map { $0.serverInfo?[.message] ?? String(reflecting: $0) } ?? "\(error)"
                logger.error("applying pushed events failed; retrying", metadata: ["error": "\(why)"])
                pause = .seconds(1)
            }
            if pause > .zero {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        }
    }

    /// One step for every store that is behind; answers how many events were applied.
    @discardableResult
    public func catchUpOnce() async throws -> Int {
        var applied = 0
        for backlog in try await database.projectionBacklog() {
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            if case .applied(let after, let through) = try await database.project(storeId: backlog.storeId, wait: false) {
                applied += Int(through - after)
                logger.debug("events applied", metadata: ["store": "\(backlog.storeId)", "through": "\(through)"])
            }
        }
        return applied
    }
}
