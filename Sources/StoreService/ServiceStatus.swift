import Foundation

/// What `/health` and `/metrics` report about the parts the HTTP server does not own: the readers the serve loop
/// has seen, and the head-office link as the sync engine last left it.
public actor ServiceStatus {
    public private(set) var readers: Set<String> = []
    /// Every reader seen since start, so that one that went away still shows as absent (0) in the metrics.
    public private(set) var readersEverSeen: Set<String> = []
    public private(set) var pcscAvailable: Bool?
    /// The head-office link in a few words, set by the sync engine after each round.
    public private(set) var headOffice = "not configured"
    /// The head-office link in numbers; nil while the store runs alone.
    public private(set) var sync: HeadOfficeSyncState?
    public let startedAt: Date

    public init(startedAt: Date = Date()) { self.startedAt = startedAt }

    public func headOffice(_ summary: String) { headOffice = summary }
    /// The state after a sync round (or the first "connecting"): the summary for `/health`, the figures for `/metrics`.
    public func headOffice(_ summary: String, state: HeadOfficeSyncState) {
        headOffice = summary
        sync = state
    }
    public func readerAdded(_ name: String) {
        readers.insert(name)
        readersEverSeen.insert(name)
    }
    public func readerRemoved(_ name: String) { readers.remove(name) }
    public func pcsc(available: Bool) {
        pcscAvailable = available
        if !available { readers.removeAll() }
    }
}

/// The sync engine's figures, copied here so that the service target need not depend on the sync target.
public struct HeadOfficeSyncState: Sendable, Hashable {
    public var lastSuccessAt: Date?
    public var consecutiveFailures: Int
    /// Totals since the service started.
    public var pushedEvents: Int
    public var appliedChanges: Int

    public init(lastSuccessAt: Date? = nil, consecutiveFailures: Int = 0, pushedEvents: Int = 0, appliedChanges: Int = 0) {
        self.lastSuccessAt = lastSuccessAt
        self.consecutiveFailures = consecutiveFailures
        self.pushedEvents = pushedEvents
        self.appliedChanges = appliedChanges
    }

    /// The last round succeeded (at least one has, and none failed since).
    public var isOK: Bool { lastSuccessAt != nil && consecutiveFailures == 0 }
}
