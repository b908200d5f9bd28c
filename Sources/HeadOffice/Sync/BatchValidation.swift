import Foundation
import SyncProtocol

/// The event types head office knows how to apply. A store one version behind sends a subset of these.
public enum StoreEventType: String, CaseIterable, Sendable {
    case visitRecorded = "visit.recorded"
    case purchaseRecorded = "purchase.recorded"
    case refundRecorded = "refund.recorded"
    case profileCreated = "profile.created"
    case profileErased = "profile.erased"
    case identifierBound = "identifier.bound"
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

/// A push batch's envelope checked field by field before anything touches the database. The payloads and dates
/// are checked by `hq_ingest` (migration v4), set-based, against `payloadChecks`; it names a bad event and field
/// the same way.
struct ValidatedBatch: Sendable {
    let storeId: String
    let sequences: [Int64]
    let ids: [String]
    let types: [String]
    let schemaVersions: [Int64]
    let payloads: [String]
    let createdAts: [String]

    var isEmpty: Bool { sequences.isEmpty }

    /// Fields every payload of a type must carry, checked so that a malformed event is refused with its name
    /// instead of failing deep inside a SQL cast.
    private static let requiredUUIDs: [StoreEventType: [String]] = [
        .visitRecorded: ["id", "identifierId"], .purchaseRecorded: ["id"], .refundRecorded: ["id", "purchaseId"],
        .profileCreated: ["id"], .profileErased: ["profileId"], .identifierBound: ["id", "profileId"],
        .identifierSeen: ["id"], .ledgerEntry: ["id", "profileId"], .consentChanged: ["id", "profileId"],
        .feedbackRecorded: ["id"], .redemptionRecorded: ["id", "profileId"],
    ]
    private static let requiredDates: [StoreEventType: [String]] = [
        .visitRecorded: ["at"], .purchaseRecorded: ["at"], .refundRecorded: ["at"],
        .profileCreated: ["createdAt", "updatedAt"], .ledgerEntry: ["at"], .consentChanged: ["at"],
        .feedbackRecorded: ["at"], .redemptionRecorded: ["at"],
    ]

    /// The checks as `hq_ingest` takes them: (type, field, "uuid" or "date"), a type's UUIDs before its dates.
    static let payloadChecks: (types: [String], fields: [String], kinds: [String]) = {
        var checks: (types: [String], fields: [String], kinds: [String]) = ([], [], [])
        for type in StoreEventType.allCases {
            for field in requiredUUIDs[type] ?? [] { checks.types.append(type.rawValue); checks.fields.append(field); checks.kinds.append("uuid") }
            for field in requiredDates[type] ?? [] { checks.types.append(type.rawValue); checks.fields.append(field); checks.kinds.append("date") }
        }
        return checks
    }()

    init(_ batch: PushBatch, authenticatedStore: String) throws {
        guard SyncProtocolVersion.accepted.contains(batch.protocolVersion) else {
            throw HeadOfficeError(.invalidArgument, SyncProtocolVersion.refusal(batch.protocolVersion))
        }
        guard batch.storeId == authenticatedStore else {
            throw HeadOfficeError(.forbidden, "store \(authenticatedStore) may push only its own events, not store \(batch.storeId)'s")
        }
        guard batch.events.count <= PushBatch.maximumEvents else {
            throw HeadOfficeError(.invalidArgument, "events: at most \(PushBatch.maximumEvents) per batch, got \(batch.events.count)")
        }
        var sequences: [Int64] = [], ids: [String] = [], types: [String] = [], versions: [Int64] = []
        var payloads: [String] = [], createdAts: [String] = []
        sequences.reserveCapacity(batch.events.count)
        ids.reserveCapacity(batch.events.count)
        var seenSequences = Set<Int64>(minimumCapacity: batch.events.count), seenIds = Set<UUID>(minimumCapacity: batch.events.count)
        for (index, event) in batch.events.enumerated() {
            guard event.sequence > 0 else { throw HeadOfficeError(.invalidArgument, "\(Self.name(index, event)): sequence must be positive") }
            guard let uuid = UUID(uuidString: event.id) else { throw HeadOfficeError(.invalidArgument, "\(Self.name(index, event)): id must be a UUID") }
            guard seenSequences.insert(event.sequence).inserted else {
                throw HeadOfficeError(.invalidArgument, "\(Self.name(index, event)): the sequence appears twice in the batch")
            }
            guard seenIds.insert(uuid).inserted else {
                throw HeadOfficeError(.invalidArgument, "\(Self.name(index, event)): the id appears twice in the batch")
            }
            guard StoreEventType(rawValue: event.type) != nil else {
                throw HeadOfficeError(.invalidArgument, "\(Self.name(index, event)): unknown event type '\(event.type.prefix(64))'")
            }
            guard event.schemaVersion == 1 else {
                throw HeadOfficeError(.invalidArgument, "\(Self.name(index, event)): schemaVersion \(event.schemaVersion) of \(event.type) is not supported (1 is)")
            }
            sequences.append(event.sequence)
            ids.append(uuid.uuidString.lowercased())
            types.append(event.type)
            versions.append(Int64(event.schemaVersion))
            payloads.append(event.payload)
            createdAts.append(event.createdAt)
        }
        self.storeId = batch.storeId
        self.sequences = sequences
        self.ids = ids
        self.types = types
        self.schemaVersions = versions
        self.payloads = payloads
        self.createdAts = createdAts
    }

    /// How a refusal names an event; `hq_batch_error` names it the same way.
    private static func name(_ index: Int, _ event: SyncEvent) -> String { "events[\(index)] (sequence \(event.sequence))" }
}
