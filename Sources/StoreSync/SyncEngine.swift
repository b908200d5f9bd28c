import Foundation
import Logging
import ServiceLifecycle
import StoreCore
import SyncProtocol

/// The store's side of the sync, as a lifecycle service: push the outbox, pull head office's changes, pause, again.
///
/// It runs beside taps and sales and never holds them up: it reads the outbox from WAL snapshots, and its only
/// writes (the acknowledgement, a page of changes) are short transactions. When head office is away it backs
/// off (``Backoff``) and the store carries on; the outbox keeps everything until head office acknowledges it.
public actor SyncEngine: Service {
    public let database: StoreDatabase
    public let client: HeadOfficeClient
    let logger: Logger
    public private(set) var status: SyncStatus
    /// Kept across rounds: a store back online after a slow failure starts where the link left it.
    public private(set) var batchSizer: PushBatchSizer
    let onStatus: @Sendable (SyncStatus) async -> Void

    public init(database: StoreDatabase, client: HeadOfficeClient, logger: Logger = Logger(label: "parcours.sync"),
                onStatus: @escaping @Sendable (SyncStatus) async -> Void = { _ in }) {
        self.database = database
        self.client = client
        self.logger = logger
        self.status = SyncStatus()
        self.batchSizer = PushBatchSizer(largest: client.link.batchSize, requestTimeout: client.link.requestTimeout)
        self.onStatus = onStatus
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let pause: Duration
            do {
                try await syncOnce()
                pause = client.link.interval
            } catch {
                pause = client.link.backoff.delay(afterFailures: status.consecutiveFailures)
                logger.warning("sync failed; retrying", metadata: [
                    "failures": "\(status.consecutiveFailures)", "retryInMs": "\(pause.components.seconds * 1000 + pause.components.attoseconds / 1_000_000_000_000_000)",
                    "error": "\(error)",
                ])
            }
            // A stop must not wait out the pause: after failures the backoff can be longer than a supervisor waits.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }

    /// One full round: push until the outbox is acknowledged, then pull until the feed is drained.
    public func syncOnce() async throws {
        do {
            try await pushAll()
            try await pullAll()
            status.lastSuccessAt = Date()
            status.consecutiveFailures = 0
            status.lastError = nil
        } catch {
            status.consecutiveFailures += 1
            status.lastError = "\(error)"
            await onStatus(status)
            throw error
        }
        await onStatus(status)
    }

    /// Sends pending events in batches sized by ``batchSizer``. Head office answers with the contiguous high-water
    /// mark; the store forgets nothing until then. A reported gap means head office lost events the store already
    /// saw acknowledged, which only a restored head-office backup can cause: the store logs it and keeps sending
    /// from the mark.
    ///
    /// Acknowledged events are pruned every ``pruneEvery`` events and when the round ends, not after each batch:
    /// at `synchronous=FULL` each prune is a durable commit of its own, and a catch-up of days of events paid one
    /// per batch. The backlog is counted at the start and the end of the round and follows the mark in between
    /// (counting the outbox is a scan of everything waiting).
    public func pushAll() async throws {
        try await reconcileIfRestored()
        var acknowledged = try await database.syncState()?.acknowledgedSequence ?? 0
        status.backlog = try await database.pendingOutboxCount()
        var unpruned = 0
        while true {
            let pending = try await database.pendingOutboxEvents(limit: batchSizer.current)
            guard !pending.isEmpty else { break }
            let started = ContinuousClock.now
            let answer: PushAcknowledgement
            do {
                answer = try await client.pushEvents(pending.map(SyncEvent.init(outbox:)), storeId: database.storeId)
            } catch {
                var tooLarge = false
                if case HeadOfficeClient.Failure.refused(status: 413, _) = error { tooLarge = true }
                batchSizer.failed(after: ContinuousClock.now - started, tooLarge: tooLarge)
                throw error
            }
            batchSizer.pushed(pending.count, in: ContinuousClock.now - started)
            if !answer.gaps.isEmpty {
                logger.error("head office reports gaps in this store's sequence", metadata: [
                    "gaps": "\(answer.gaps.map(\.description).joined(separator: ","))", "acknowledged": "\(answer.acknowledgedSequence)",
                ])
            }
            try await database.acknowledgeOutbox(through: answer.acknowledgedSequence)
            status.pushedEvents += answer.accepted
            status.pushes += 1
            // No progress (head office is missing an earlier event it should have): stop this round, retry later.
            guard answer.acknowledgedSequence > acknowledged else { break }
            let progress = Int(answer.acknowledgedSequence - acknowledged)
            acknowledged = answer.acknowledgedSequence
            status.backlog = max(0, status.backlog - progress)
            unpruned += progress
            if unpruned >= Self.pruneEvery {
                try await database.pruneAcknowledgedOutbox()
                unpruned = 0
            }
        }
        if unpruned > 0 { try await database.pruneAcknowledgedOutbox() }
        status.backlog = try await database.pendingOutboxCount()
    }

    /// The first push after `parcours db restore`: ask head office where it stands for this store (an empty batch)
    /// and renumber what was written since the restore past it (``StoreDatabase/reconcileAfterRestore``), so that
    /// no new event goes out under a number head office already holds for an event the restore took away.
    func reconcileIfRestored() async throws {
        guard try await database.restoredThroughSequence() != nil else { return }
        let answer = try await client.pushEvents([], storeId: database.storeId)
        guard let done = try await database.reconcileAfterRestore(
            headOfficeAcknowledged: answer.acknowledgedSequence,
            headOfficeHighest: answer.highestReceived ?? answer.acknowledgedSequence) else { return }
        logger.notice("reconciled with head office after a restore", metadata: [
            "acknowledged": "\(done.acknowledgedSequence)", "renumbered": "\(done.renumbered)", "shift": "\(done.shift)",
        ])
        if answer.highestReceived.map({ $0 > answer.acknowledgedSequence }) == true {
            logger.error("head office holds events of this store beyond a gap that the restore made unfillable", metadata: [
                "acknowledged": "\(answer.acknowledgedSequence)", "highest": "\(answer.highestReceived ?? 0)",
            ])
        }
    }

    /// Acknowledged events kept before a prune, during a long push.
    static let pruneEvery = 10_000

    /// Applies head office's changes page by page; each page and its cursor commit together.
    public func pullAll() async throws {
        while true {
            let cursor = try await database.syncState()?.inboundCursor
            let page = try await client.changes(after: cursor, limit: client.link.pageSize)
            var changes: [HeadOfficeChange] = []
            for wire in page.changes {
                if let change = try HeadOfficeChange(wire: wire) {
                    changes.append(change)
                } else {
                    logger.warning("skipped a change this version cannot apply", metadata: [
                        "position": "\(wire.position)", "kind": "\(wire.kind.rawValue)",
                    ])
                }
            }
            try await database.applyHeadOfficeChanges(changes, cursor: page.cursor)
            status.appliedChanges += page.changes.count
            if !page.hasMore { return }
        }
    }
}

/// What `/health` and the metrics say about the head-office link.
public struct SyncStatus: Sendable, Hashable, CustomStringConvertible {
    public var lastSuccessAt: Date?
    public var lastError: String?
    public var consecutiveFailures = 0
    public var backlog = 0
    public var pushedEvents = 0
    /// Pushes head office answered.
    public var pushes = 0
    public var appliedChanges = 0

    public var description: String {
        if let lastError, consecutiveFailures > 0 {
            return "unreachable after \(consecutiveFailures) attempt(s), \(backlog) event(s) waiting: \(lastError.prefix(160))"
        }
        guard let lastSuccessAt else { return "connecting" }
        return "ok: last sync \(lastSuccessAt.formatted(Date.ISO8601FormatStyle())), \(backlog) event(s) waiting"
    }
}
