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
                // Nothing could be applied this round. The events stay stored and the marks where they were.
                logger.error("no pushed events could be applied; pausing before the next round",
                             metadata: ["error": "\(Self.describe(error))"])
                pause = .seconds(1)
            }
            if pause > .zero {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        }
    }

    /// One step for every store that is behind; answers how many events were applied.
    ///
    /// A store whose step fails is logged and passed over, so that it cannot hold back the stores behind it in the
    /// round; it is tried again next round. When no store could be applied and one failed, the first failure is
    /// thrown, so that ``run()`` pauses before trying again rather than spinning.
    @discardableResult
    public func catchUpOnce() async throws -> Int {
        var applied = 0
        var firstFailure: (any Error)?
        for backlog in try await database.projectionBacklog() {
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            do {
                if case .applied(let after, let through) = try await database.project(storeId: backlog.storeId, wait: false) {
                    applied += Int(through - after)
                    logger.debug("events applied", metadata: ["store": "\(backlog.storeId)", "through": "\(through)"])
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.error("applying a store's pushed events failed; its events stay stored and are tried again",
                             metadata: ["store": "\(backlog.storeId)", "error": "\(Self.describe(error))"])
                firstFailure = firstFailure ?? error
            }
        }
        if applied == 0, let firstFailure { throw firstFailure }
        return applied
    }

    /// PSQLError's description hides the server's message, which is what an operator needs.
    static func describe(_ error: any Error) -> String {
        (error as? PSQLError).map { $0.serverInfo?[.message] ?? String(reflecting: $0) } ?? "\(error)"
    }
}
