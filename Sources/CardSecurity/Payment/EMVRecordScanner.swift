/// Walks the BER-TLV objects of a READ RECORD answer where they lie, handing out value ranges
/// instead of copies: the records hold the PAN, and every copy would be one more buffer to wipe.
/// (CardProtocols' `TLV.parseAll` copies each value, so the tokenizer does not use it.)
///
/// Total: any bytes give callbacks or a ``CardSecurityError`` `.malformed` naming the record, tag
/// and offset (never a value); lengths are checked against the bytes present; nesting is bounded.
enum EMVRecordScanner {
    static let maximumDepth = 8

    /// Calls `visit` with each primitive object's tag (as a big-endian integer: `0x5F24`) and value
    /// range, descending into constructed objects such as the `70` record template.
    static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, record: Int,
        visit: (_ tag: UInt32, _ value: Range<Int>) throws -> Void
    ) throws {
        try scanList(bytes, range: 0..<bytes.count, depth: 1, record: record, visit: visit)
    }

    private static func scanList(
        _ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, depth: Int, record: Int,
        visit: (UInt32, Range<Int>) throws -> Void
    ) throws {
        guard depth <= maximumDepth else {
            throw CardSecurityError.malformed("record \(record): TLV nesting deeper than \(maximumDepth) levels")
        }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let start = offset
            // EMV Book 3 Annex B allows 00 and FF padding between objects.
            if bytes[offset] == 0x00 || bytes[offset] == 0xFF {
                offset += 1
                continue
            }
            let first = bytes[offset]
            var tag = UInt32(first)
            offset += 1
            if first & 0x1F == 0x1F {
                var tagLength = 1
                while true {
                    guard offset < range.upperBound else {
                        throw CardSecurityError.malformed("record \(record): TLV tag at offset \(start) is cut off")
                    }
                    let next = bytes[offset]
                    offset += 1
                    tagLength += 1
                    guard tagLength <= 4 else {
                        throw CardSecurityError.malformed("record \(record): TLV tag at offset \(start) is longer than 4 bytes")
                    }
                    tag = tag << 8 | UInt32(next)
                    if next & 0x80 == 0 { break }
                }
            }
            let tagText = String(tag, radix: 16, uppercase: true)
            guard offset < range.upperBound else {
                throw CardSecurityError.malformed("record \(record): TLV \(tagText) at offset \(start) has no length")
            }
            let lengthByte = bytes[offset]
            offset += 1
            var length = 0
            switch lengthByte {
            case ..<0x80:
                length = Int(lengthByte)
            case 0x81...0x84:
                let count = Int(lengthByte & 0x7F)
                guard count <= range.upperBound - offset else {
                    throw CardSecurityError.malformed("record \(record): TLV \(tagText) at offset \(start) has a cut-off length")
                }
                for _ in 0..<count {
                    length = length << 8 | Int(bytes[offset])
                    offset += 1
                }
            default:
                throw CardSecurityError.malformed(
                    "record \(record): TLV \(tagText) at offset \(start) has an invalid length byte "
                        + String(lengthByte, radix: 16, uppercase: true))
            }
            guard length <= range.upperBound - offset else {
                throw CardSecurityError.malformed(
                    "record \(record): TLV \(tagText) at offset \(start) declares \(length) bytes "
                        + "but \(range.upperBound - offset) remain")
            }
            let value = offset..<(offset + length)
            offset += length
            if first & 0x20 != 0 {
                try scanList(bytes, range: value, depth: depth + 1, record: record, visit: visit)
            } else {
                try visit(tag, value)
            }
        }
    }
}
