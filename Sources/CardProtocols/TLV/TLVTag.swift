/// A BER-TLV tag as EMV uses it (EMV Book 3 Annex B): 1 to 4 bytes, the first holding the class and
/// the constructed flag.
///
/// Written as an integer of its bytes: `TLVTag(0x9F38)`, or `let pdol: TLVTag = 0x9F38`.
public struct TLVTag: Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public static let maximumLength = 4

    public enum TagClass: Hashable, Sendable {
        case universal, application, contextSpecific, `private`
    }

    /// The tag's bytes as a big-endian integer: `9F38` for PDOL.
    public let rawValue: UInt32

    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public init(integerLiteral value: UInt32) { self.rawValue = value }

    /// The encoded bytes, without leading zero bytes (at least one byte).
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        var value = rawValue
        repeat {
            bytes.insert(UInt8(value & 0xFF), at: 0)
            value >>= 8
        } while value != 0
        return bytes
    }

    private var firstByte: UInt8 { bytes[0] }

    public var tagClass: TagClass {
        switch firstByte >> 6 {
        case 0: .universal
        case 1: .application
        case 2: .contextSpecific
        default: .private
        }
    }

    /// b6 of the first byte: the value is itself a list of TLVs.
    public var isConstructed: Bool { firstByte & 0x20 != 0 }

    public var description: String { hexString(bytes) }

    /// Reads one tag.
    ///
    /// - Throws: ``CardProtocolError/truncated`` when a subsequent byte is missing,
    ///   ``CardProtocolError/limitExceeded`` for a tag longer than 4 bytes.
    init(reading reader: inout ByteReader) throws(CardProtocolError) {
        let start = reader.offset
        let first = try reader.readByte("TLV tag")
        var value = UInt32(first)
        if first & 0x1F == 0x1F {
            var count = 1
            while true {
                let next = try reader.readByte("subsequent byte of TLV tag starting \(hexString(first)) at offset \(start)")
                count += 1
                guard count <= Self.maximumLength else {
                    throw .limitExceeded("TLV tag at offset \(start) is longer than \(Self.maximumLength) bytes")
                }
                value = value << 8 | UInt32(next)
                if next & 0x80 == 0 { break }
            }
        }
        self.rawValue = value
    }
}
