import Foundation
import GRDB

/// A state change waiting to be sent to head office, written in the same transaction as the change itself.
public struct OutboxEvent: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "outbox"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    /// UUIDv7, lowercase text: head office deduplicates on it.
    public var id: String
    public var storeId: String
    /// Strictly increasing and gap-free within a store: head office acknowledges "everything up to N".
    public var sequence: Int64
    public var type: OutboxEventType
    public var schemaVersion: Int
    /// JSON text (keys sorted, ISO 8601 dates with milliseconds).
    public var payload: String
    public var createdAt: Date
}

public enum OutboxEventType: String, Codable, Sendable, CaseIterable {
    case visitRecorded = "visit.recorded"
    case purchaseRecorded = "purchase.recorded"
    case refundRecorded = "refund.recorded"
    case profileCreated = "profile.created"
    case profileErased = "profile.erased"
    case identifierBound = "identifier.bound"
    /// An identifier first seen at a tap, not yet bound to anyone.
    case identifierSeen = "identifier.seen"
    case identityConflict = "identity.conflict"
    case ledgerEntry = "ledger.entry"
    case consentChanged = "consent.changed"
    case feedbackRecorded = "feedback.recorded"
    case redemptionRecorded = "redemption.recorded"
    case deviceAdded = "device.added"
    case deviceRevoked = "device.revoked"
    case staffAdded = "staff.added"
    case staffRemoved = "staff.removed"
}
