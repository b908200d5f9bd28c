import Foundation
import GRDB

extension Database {
    /// Appends an outbox event in the current transaction, so that it commits or rolls back with the change it
    /// describes.
    ///
    /// The sequence is one more than the highest ever issued: the highest row still in the table, or the highest
    /// acknowledged if the sync engine has pruned acknowledged rows. Writes are serialized, so this is gap-free.
    @discardableResult
    func appendOutboxEvent(_ type: OutboxEventType, storeId: String, payload: some Encodable, at: Date) throws -> OutboxEvent {
        try appendOutboxEvent(type, storeId: storeId, encodedPayload: try OutboxPayload.encode(payload), at: at)
    }

    /// ``appendOutboxEvent(_:storeId:payload:at:)`` with the payload already written by ``OutboxPayload/encode(_:)``.
    @discardableResult
    func appendOutboxEvent(_ type: OutboxEventType, storeId: String, encodedPayload: String, at: Date) throws -> OutboxEvent {
        let highest = try Int64.fetchOne(cachedStatement(sql: """
            SELECT MAX(COALESCE((SELECT MAX(sequence) FROM outbox), 0),
                       COALESCE((SELECT acknowledgedSequence FROM syncState WHERE id = 1), 0))
            """)) ?? 0
        let event = OutboxEvent(
            id: UUIDv7.string(at: at),
            storeId: storeId,
            sequence: highest + 1,
            type: type,
            schemaVersion: 1,
            payload: encodedPayload,
            createdAt: at)
        try event.insertRow(self)
        return event
    }
}

/// The JSON written into `outbox.payload`: sorted keys and ISO 8601 dates with milliseconds, so the same change
/// always produces the same bytes.
enum OutboxPayload {
    static func encode(_ value: some Encodable) throws -> String {
        if let fast = value as? any OutboxJSONEncodable, let text = OutboxJSONWriter.encode(fast) {
            assert(text == (try? slowEncode(value)), "hand-written outbox JSON differs from JSONEncoder's: \(text)")
            return text
        }
        return try slowEncode(value)
    }

    static func slowEncode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        let data = try encoder.encode(value)
        return String(decoding: data, as: UTF8.self)
    }
}
