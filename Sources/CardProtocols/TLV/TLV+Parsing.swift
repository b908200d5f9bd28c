extension TLV {
    /// Parses a sequence of TLVs, descending into constructed ones.
    ///
    /// `00` and `FF` bytes before, between and after objects are skipped as EMV Book 3 Annex B allows.
    ///
    /// - Parameter maximumDepth: how many levels of constructed TLVs are allowed (1 = no nesting).
    /// - Throws: ``CardProtocolError/truncated`` when a tag, length or value runs past the bytes,
    ///   ``CardProtocolError/unsupported`` for the indefinite length `80`,
    ///   ``CardProtocolError/invalidValue`` for a length byte `85`…`FF`,
    ///   ``CardProtocolError/limitExceeded`` for a tag over 4 bytes or nesting beyond `maximumDepth`.
    public static func parseAll(_ bytes: [UInt8], maximumDepth: Int = 16) throws(CardProtocolError) -> [TLV] {
        var reader = ByteReader(bytes)
        return try parseList(&reader, depth: 1, maximumDepth: maximumDepth)
    }

    /// Parses exactly one TLV; padding is not allowed around it.
    ///
    /// - Throws: as ``parseAll(_:maximumDepth:)``, and ``CardProtocolError/lengthMismatch`` for bytes after it.
    public init(parsing bytes: [UInt8], maximumDepth: Int = 16) throws(CardProtocolError) {
        var reader = ByteReader(bytes)
        self = try Self.parseOne(&reader, depth: 1, maximumDepth: maximumDepth)
        guard reader.isAtEnd else {
            throw .lengthMismatch("\(reader.remainingCount) bytes follow the TLV \(tag)")
        }
    }

    private static func parseList(
        _ reader: inout ByteReader, depth: Int, maximumDepth: Int
    ) throws(CardProtocolError) -> [TLV] {
        var list: [TLV] = []
        while !reader.isAtEnd {
            if let byte = reader.peek(), byte == 0x00 || byte == 0xFF {
                reader.skip(1)
                continue
            }
            list.append(try parseOne(&reader, depth: depth, maximumDepth: maximumDepth))
        }
        return list
    }

    private static func parseOne(
        _ reader: inout ByteReader, depth: Int, maximumDepth: Int
    ) throws(CardProtocolError) -> TLV {
        guard depth <= maximumDepth else {
            throw .limitExceeded("TLV nesting deeper than \(maximumDepth) levels at offset \(reader.offset)")
        }
        let start = reader.offset
        let tag = try TLVTag(reading: &reader)
        let length = try readLength(&reader, tag: tag)
        let value = try reader.read(length, "value of TLV \(tag) at offset \(start)")
        guard tag.isConstructed else { return TLV(tag: tag, value: value) }
        // Children are read from the value alone, so none can claim bytes beyond its parent.
        var inner = ByteReader(value)
        let children = try parseList(&inner, depth: depth + 1, maximumDepth: maximumDepth)
        return TLV(tag: tag, value: value, children: children)
    }

    static func readLength(_ reader: inout ByteReader, tag: TLVTag) throws(CardProtocolError) -> Int {
        let first = try reader.readByte("length of TLV \(tag)")
        switch first {
        case ..<0x80:
            return Int(first)
        case 0x80:
            throw .unsupported("TLV \(tag) uses the indefinite length 80, which EMV does not allow")
        case 0x81...0x84:
            let count = Int(first & 0x7F)
            let lengthBytes = try reader.read(count, "\(count)-byte length of TLV \(tag)")
            return lengthBytes.reduce(0) { $0 << 8 | Int($1) }
        default:
            throw .invalidValue("TLV \(tag) has length byte \(hexString(first)); at most 4 length bytes (84) are allowed")
        }
    }
}
