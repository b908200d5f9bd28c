import Foundation

/// A payload of a hot write path (visit, ledger entry, purchase, feedback) that writes its own outbox JSON.
///
/// `JSONEncoder` with a custom date strategy cost more than all the SQLite work of a tap or a sale on Linux
/// (an encoder, a keyed container per object, an ISO 8601 format style per date). These types have a small fixed
/// shape, so they write exactly the bytes `OutboxPayload.slowEncode` would: keys in sorted order, `nil` fields
/// left out (as synthesized `Codable` does), strings with `"` and `\` escaped and nothing else (slashes and
/// non-ASCII text are not escaped), dates as ISO 8601 UTC with milliseconds. Anything the writer is not sure to
/// write identically (a control character in a string, a date outside 1970…9999) makes it give up, and the
/// caller falls back to `JSONEncoder`. Debug builds compare both encodings on every event.
protocol OutboxJSONEncodable {
    /// Returns false when the writer could not be sure to match `JSONEncoder`.
    func writeOutboxJSON(_ writer: inout OutboxJSONWriter) -> Bool
}

struct OutboxJSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false
    /// Cleared by the first value that cannot be written identically to `JSONEncoder`.
    private(set) var isExact = true

    init() {
        bytes.reserveCapacity(320)
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray(_ key: StaticString) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func field(_ key: StaticString, _ value: String) {
        self.key(key)
        appendQuoted(value)
        needsComma = true
    }

    mutating func field(_ key: StaticString, _ value: String?) {
        if let value { field(key, value) }
    }

    mutating func field(_ key: StaticString, _ value: Int64) {
        self.key(key)
        bytes += String(value).utf8
        needsComma = true
    }

    mutating func field(_ key: StaticString, _ value: Int64?) {
        if let value { field(key, value) }
    }

    mutating func field(_ key: StaticString, _ value: Bool) {
        self.key(key)
        bytes += (value ? "true" : "false").utf8
        needsComma = true
    }

    mutating func field(_ key: StaticString, _ value: Int) {
        field(key, Int64(value))
    }

    mutating func field(_ key: StaticString, _ value: Date) {
        self.key(key)
        appendISO8601(value)
        needsComma = true
    }

    mutating func field(_ key: StaticString, _ value: Date?) {
        if let value { field(key, value) }
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    /// Keys are ASCII identifiers written by this module: no escaping needed.
    private mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func appendQuoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0x20...0xFF:
                // JSONEncoder writes non-ASCII text as its UTF-8 bytes, unescaped (checked for accents, CJK, emoji,
                // U+2028/2029, U+FEFF and DEL): kiosk comments and names are mostly French.
                bytes.append(byte)
            default:
                // Control characters: leave them to JSONEncoder's own rules.
                isExact = false
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `yyyy-MM-ddTHH:mm:ss.SSSZ`, as `Date.ISO8601FormatStyle(includingFractionalSeconds: true)` writes it.
    ///
    /// The format style truncates the nanoseconds of the date counted from 2001-01-01, so a date read back from
    /// the database a hair below its millisecond is written one millisecond earlier than the database text
    /// (`StoreDate`, which allows for that). The same arithmetic is done here so the bytes do not change; it was
    /// checked against the format style on 300 000 dates between 1970 and 9999.
    private mutating func appendISO8601(_ date: Date) {
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0, seconds < 253_402_300_799 else {
            isExact = false
            return
        }
        let sinceReference = date.timeIntervalSinceReferenceDate
        let whole = sinceReference.rounded(.down)
        let nanoseconds = ((sinceReference - whole) * 1e9).rounded(.down)
        let millis = (Int64(whole) + 978_307_200) * 1000 + Int64((nanoseconds / 1e6).rounded(.down))
        var text = Array(StoreDate.text(millis: millis).utf8)
        guard text.count == 23 else {
            isExact = false
            return
        }
        text[10] = UInt8(ascii: "T")
        bytes.append(UInt8(ascii: "\""))
        bytes += text
        bytes.append(UInt8(ascii: "Z"))
        bytes.append(UInt8(ascii: "\""))
    }
}

extension OutboxJSONWriter {
    /// The finished text, or nil when `JSONEncoder` must write this payload.
    static func encode(_ value: some OutboxJSONEncodable) -> String? {
        var writer = OutboxJSONWriter()
        guard value.writeOutboxJSON(&writer), writer.isExact else { return nil }
        return writer.string
    }
}

// Keys in sorted order (the order `JSONEncoder.OutputFormatting.sortedKeys` gives for these ASCII keys).

extension Visit: OutboxJSONEncodable {
    func writeOutboxJSON(_ writer: inout OutboxJSONWriter) -> Bool {
        writer.beginObject()
        writer.field("at", at)
        writer.field("deviceId", deviceId)
        writer.field("id", id)
        writer.field("identifierId", identifierId)
        writer.field("profileId", profileId)
        writer.field("reader", reader)
        writer.field("storeId", storeId)
        writer.endObject()
        return true
    }
}

extension LedgerEntry: OutboxJSONEncodable {
    func writeOutboxJSON(_ writer: inout OutboxJSONWriter) -> Bool {
        writer.beginObject()
        writer.field("at", at)
        writer.field("delta", delta)
        writer.field("expiresAt", expiresAt)
        writer.field("id", id)
        writer.field("profileId", profileId)
        writer.field("reason", reason.rawValue)
        writer.field("reference", reference)
        writer.endObject()
        return true
    }
}

extension Purchase: OutboxJSONEncodable {
    func writeOutboxJSON(_ writer: inout OutboxJSONWriter) -> Bool {
        writer.beginObject()
        writer.field("amountMinor", amountMinor)
        writer.field("at", at)
        writer.field("currency", currency)
        writer.field("id", id)
        if let lines {
            writer.beginArray("lines")
            for line in lines {
                writer.beginObject()
                writer.field("amountMinor", line.amountMinor)
                writer.field("quantity", line.quantity)
                writer.field("sku", line.sku)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.field("pointsEarned", pointsEarned)
        writer.field("profileId", profileId)
        writer.field("receiptId", receiptId)
        writer.field("storeId", storeId)
        writer.field("tillDeviceId", tillDeviceId)
        writer.endObject()
        return true
    }
}

/// `identifier.seen` is written on the tap path, by the first tap of every card the store does not know.
extension Identifier: OutboxJSONEncodable {
    func writeOutboxJSON(_ writer: inout OutboxJSONWriter) -> Bool {
        // A companion-app key is base64 `Data`: rare (enrolment, not taps), so left to JSONEncoder.
        guard publicKey == nil else { return false }
        writer.beginObject()
        writer.field("createdAt", createdAt)
        writer.field("id", id)
        writer.field("kind", kind.rawValue)
        writer.field("profileId", profileId)
        writer.field("sunCounter", sunCounter)
        writer.field("value", value)
        writer.field("verified", verified)
        writer.endObject()
        return true
    }
}

/// `feedback.recorded` is written by every kiosk feedback, many at once when the kiosks are busy.
extension Feedback: OutboxJSONEncodable {
    func writeOutboxJSON(_ writer: inout OutboxJSONWriter) -> Bool {
        writer.beginObject()
        writer.field("at", at)
        writer.field("comment", comment)
        writer.field("id", id)
        writer.field("kioskDeviceId", kioskDeviceId)
        writer.field("language", language)
        writer.field("profileId", profileId)
        writer.field("score", score)
        writer.field("storeId", storeId)
        writer.endObject()
        return true
    }
}
