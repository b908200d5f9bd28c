/// One NDEF record (NFC Forum NDEF 1.0): a type name format, a type, an optional id and a payload.
///
/// Records are plain values; the size and TNF rules are enforced when a message is parsed or serialized.
public struct NDEFRecord: Hashable, Sendable {
    /// The TNF field: how ``type`` is to be read.
    public enum TypeNameFormat: UInt8, Hashable, Sendable, CaseIterable {
        case empty = 0x00
        /// NFC Forum RTD types such as `U` (URI), `T` (text), `Sp` (smart poster).
        case wellKnown = 0x01
        /// An RFC 2046 media type such as `text/plain`.
        case media = 0x02
        case absoluteURI = 0x03
        /// NFC Forum external type, `domain:type`.
        case external = 0x04
        case unknown = 0x05
        /// Only valid inside chunked records, which this library rejects.
        case unchanged = 0x06
        case reserved = 0x07
    }

    public var tnf: TypeNameFormat
    public var type: [UInt8]
    public var id: [UInt8]
    public var payload: [UInt8]

    public init(tnf: TypeNameFormat, type: [UInt8] = [], id: [UInt8] = [], payload: [UInt8] = []) {
        self.tnf = tnf
        self.type = type
        self.id = id
        self.payload = payload
    }

    /// The empty record that makes up an empty NDEF message (`D0 00 00`).
    public static let empty = NDEFRecord(tnf: .empty)

    /// The type as text when it is ASCII (well-known, media, absolute URI and external types are).
    public var typeName: String? {
        type.allSatisfy { $0 >= 0x20 && $0 < 0x7F } ? String(decoding: type, as: UTF8.self) : nil
    }

    /// Checks the combinations NDEF 1.0 §3.3 forbids, so a serialized record parses back.
    func validate() throws(CardProtocolError) {
        guard type.count <= 255 else {
            throw .limitExceeded("NDEF record type has \(type.count) bytes, the TYPE_LENGTH field holds at most 255")
        }
        guard id.count <= 255 else {
            throw .limitExceeded("NDEF record id has \(id.count) bytes, the ID_LENGTH field holds at most 255")
        }
        guard UInt64(payload.count) <= UInt64(UInt32.max) else {
            throw .limitExceeded("NDEF record payload has \(payload.count) bytes, more than PAYLOAD_LENGTH can hold")
        }
        switch tnf {
        case .empty:
            guard type.isEmpty, id.isEmpty, payload.isEmpty else {
                throw .invalidValue(
                    "an empty (TNF 0) NDEF record must have no type, id or payload; got \(type.count), \(id.count) and \(payload.count) bytes")
            }
        case .wellKnown, .media, .absoluteURI, .external:
            guard !type.isEmpty else {
                throw .invalidValue("an NDEF record with TNF \(tnf) needs a type, the type is empty")
            }
        case .unknown:
            guard type.isEmpty else {
                throw .invalidValue("an unknown (TNF 5) NDEF record must have no type, got \(type.count) bytes")
            }
        case .unchanged:
            throw .unsupported("TNF 6 (unchanged) only appears in chunked NDEF records, which are not supported")
        case .reserved:
            break
        }
    }
}

extension NDEFRecord: CustomStringConvertible {
    public var description: String {
        var text = "NDEFRecord(\(tnf)"
        if !type.isEmpty { text += " type=" + (typeName.map { "\"\($0)\"" } ?? hexString(type)) }
        if !id.isEmpty { text += " id=\(hexString(id))" }
        text += " payload=\(payload.count) bytes)"
        return text
    }
}
