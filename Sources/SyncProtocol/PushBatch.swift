import Foundation

/// The version of the wire contract. Head office accepts this version and the one before it, so stores can be
/// upgraded one by one while head office already runs the new release (a rolling upgrade).
///
/// - 1: the first contract. Its feed knows the change kinds `profile`, `identifier`, `ledgerEntry`, `consent`,
///   `merge`, `erasure` and `rewardCatalog`. A version-1 store sends no version on pull (it predates the
///   `protocolVersion` query parameter), so a pull without one is version 1.
/// - 2: the feed also carries `loyaltyRules` and `storeSettings` (``Change/Kind/introducedIn``), and the store
///   names its version on pull (`protocolVersion=2`) as it always did on push. Head office never sends a
///   version-1 store a kind of version 2, and re-sends the latest of each of those (they are whole-state) on
///   the first pull a store makes at version 2 from a cursor it was given at version 1. The push is unchanged,
///   except that an empty batch is answered with ``PushAcknowledgement/highestReceived`` (how a restored store
///   learns where head office is).
public enum SyncProtocolVersion {
    public static let current = 2
    public static let oldestAccepted = 1

    public static var accepted: ClosedRange<Int> { oldestAccepted...current }

    /// The sentence every refusal of a version uses, on push and on pull.
    public static func refusal(_ version: Int) -> String {
        "protocolVersion \(version) is not supported: head office accepts \(oldestAccepted) to \(current)"
    }
}

/// One outbox event as it travels: the store's own row, unchanged. The payload is the JSON text the store wrote
/// in the same transaction as the change, carried as a string so its bytes reach head office exactly.
public struct SyncEvent: Codable, Sendable, Hashable {
    /// UUIDv7 chosen by the store: the idempotency key.
    public var id: String
    /// Gap-free within the store, starting at 1.
    public var sequence: Int64
    public var type: String
    public var schemaVersion: Int
    public var payload: String
    /// ISO 8601 with milliseconds, UTC.
    public var createdAt: String

    public init(id: String, sequence: Int64, type: String, schemaVersion: Int, payload: String, createdAt: String) {
        self.id = id
        self.sequence = sequence
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.createdAt = createdAt
    }
}

/// `POST /v1/sync/push`: a store's events, oldest first. A batch is applied in one transaction, all or nothing.
public struct PushBatch: Codable, Sendable, Hashable {
    public var protocolVersion: Int
    public var storeId: String
    public var events: [SyncEvent]

    public init(protocolVersion: Int = SyncProtocolVersion.current, storeId: String, events: [SyncEvent]) {
        self.protocolVersion = protocolVersion
        self.storeId = storeId
        self.events = events
    }

    /// The most events one batch may carry.
    public static let maximumEvents = 5_000
}

/// A run of sequences head office has not received although later ones arrived.
public struct SequenceGap: Codable, Sendable, Hashable, CustomStringConvertible {
    public var from: Int64
    public var to: Int64

    public init(from: Int64, to: Int64) {
        self.from = from
        self.to = to
    }

    public var description: String { from == to ? "\(from)" : "\(from)…\(to)" }
}

/// Head office's answer to a push.
public struct PushAcknowledgement: Codable, Sendable, Hashable {
    /// Every event up to and including this sequence is stored and applied: the store may forget them.
    public var acknowledgedSequence: Int64
    /// Events of this batch stored for the first time.
    public var accepted: Int
    /// Events of this batch head office already had (a re-send): no effect.
    public var duplicates: Int
    /// Missing sequences below the highest one received: the store should send them.
    public var gaps: [SequenceGap]

    /// The highest sequence head office has stored for the store, applied or waiting behind a gap. Sent (from
    /// version 2) in the answer to an empty batch: a store restored from a backup asks with one before it pushes,
    /// so that it never sends new events under numbers head office already holds. Absent otherwise; an older
    /// store ignores it.
    public var highestReceived: Int64?

    public init(acknowledgedSequence: Int64, accepted: Int, duplicates: Int, gaps: [SequenceGap], highestReceived: Int64? = nil) {
        self.acknowledgedSequence = acknowledgedSequence
        self.accepted = accepted
        self.duplicates = duplicates
        self.gaps = gaps
        self.highestReceived = highestReceived
    }
}

/// Every refusal, from either side: a machine-readable code and a sentence for people.
public struct SyncErrorBody: Codable, Sendable, Hashable {
    public var error: String
    public var reason: String

    public init(error: String, reason: String) {
        self.error = error
        self.reason = reason
    }
}
