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
    let onStatus: @Sendable (SyncStatus) async -> Void

    public init(database: StoreDatabase, client: HeadOfficeClient, logger: Logger = Logger(label: "parcours.sync"),
                onStatus: @escaping @Sendable (SyncStatus) async -> Void = { _ in }) {
        self.database = database
        self.client = client
        self.logger = logger
        self.status = SyncStatus()
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
            try? await Task.sleep(for: pause)
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

    /// Sends pending events in batches. Head office answers with the contiguous high-water mark; the store forgets
    /// nothing until then. A reported gap means head office lost events the store already saw acknowledged, which
    /// only a restored head-office backup can cause: the store logs it and keeps sending from the mark.
    public func pushAll() async throws {
        while true {
            let pending = try await database.pendingOutboxEvents(limit: client.link.batchSize)
            status.backlog = try await database.pendingOutboxCount()
            guard !pending.isEmpty else { return }
            let batch = PushBatch(storeId: database.storeId, events: pending.map(SyncEvent.init(outbox:)))
            let answer = try await client.push(batch)
            if !answer.gaps.isEmpty {
                logger.error("head office reports gaps in this store's sequence", metadata: [
                    "gaps": "\(answer.gaps.map(\.description).joined(separator: ","))", "acknowledged": "\(answer.acknowledgedSequence)",
                ])
            }
            let before = try await database.syncState()?.acknowledgedSequence ?? 0
            try await database.acknowledgeOutbox(through: answer.acknowledgedSequence)
            try await database.pruneAcknowledgedOutbox()
            status.pushedEvents += answer.accepted
            status.backlog = try await database.pendingOutboxCount()
            // No progress (head office is missing an earlier event it should have): stop this round, retry later.
            if answer.acknowledgedSequence <= before { return }
        }
    }

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
    public var appliedChanges = 0

    public var description: String {
        if let lastError, consecutiveFailures > 0 {
            return "unreachable after \(consecutiveFailures) attempt(s), \(backlog) event(s) waiting: \(lastError.prefix(160))"
        }
        guard let lastSuccessAt else { return "connecting" }
        return "ok: last sync \(lastSuccessAt.formatted(Date.ISO8601FormatStyle())), \(backlog) event(s) waiting"
    }
}
