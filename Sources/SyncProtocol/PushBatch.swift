import Foundation

/// The version of the wire contract. Head office accepts this version and the one before it, so stores can be
/// upgraded one by one.
public enum SyncProtocolVersion {
    public static let current = 1
    public static let oldestAccepted = 1
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

    public init(acknowledgedSequence: Int64, accepted: Int, duplicates: Int, gaps: [SequenceGap]) {
        self.acknowledgedSequence = acknowledgedSequence
        self.accepted = accepted
        self.duplicates = duplicates
        self.gaps = gaps
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
