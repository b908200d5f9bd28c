/// A data object list (EMV Book 3 §5.4): tags with lengths and no values, such as the PDOL
/// (`9F38`) a card sends to say which terminal data GET PROCESSING OPTIONS must carry.
public struct DataObjectList: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public let tag: TLVTag
        public let length: Int

        public init(tag: TLVTag, length: Int) {
            self.tag = tag
            self.length = length
        }
    }

    /// A DOL never needs more than this per entry; larger values are hostile or corrupt.
    public static let maximumEntryLength = 255

    public let entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// - Throws: ``CardProtocolError/truncated`` when a tag or length is cut, the length errors of
    ///   ``TLV/parseAll(_:maximumDepth:)``, and ``CardProtocolError/limitExceeded`` for an entry over 255 bytes.
    public init(parsing bytes: [UInt8]) throws(CardProtocolError) {
        var reader = ByteReader(bytes)
        var entries: [Entry] = []
        while !reader.isAtEnd {
            let tag = try TLVTag(reading: &reader)
            let length = try TLV.readLength(&reader, tag: tag)
            guard length <= Self.maximumEntryLength else {
                throw .limitExceeded("DOL entry \(tag) asks for \(length) bytes, more than \(Self.maximumEntryLength)")
            }
            entries.append(Entry(tag: tag, length: length))
        }
        self.entries = entries
    }

    /// The length of the data ``build(values:numericTags:)`` produces.
    public var totalLength: Int { entries.reduce(0) { $0 + $1.length } }

    /// Tags of EMV format `n` (BCD numbers) that terminals commonly put in a DOL. They are right-aligned:
    /// left-padded with `00` or cut from the left.
    public static let numericTags: Set<TLVTag> = [
        0x9F02, 0x9F03,  // amount authorised, amount other (n 12)
        0x9F1A, 0x5F2A,  // terminal country code, transaction currency code (n 3)
        0x9A, 0x9F21,  // transaction date (n 6 YYMMDD), time (n 6 HHMMSS)
        0x9C,  // transaction type (n 2)
        0x9F35,  // terminal type (n 2)
        0x5F36,  // transaction currency exponent (n 1)
        0x9F15,  // merchant category code (n 4)
        0x9F41,  // transaction sequence counter (n 4-8)
    ]

    /// The concatenated values, each fitted to its entry's length.
    ///
    /// Following EMV Book 3 §5.4: a missing value becomes zeros; a value of a tag in `numericTags` is
    /// left-padded with `00` when short and keeps its rightmost bytes when long; any other value is
    /// right-padded with `00` when short and keeps its leftmost bytes when long. (Format `cn`, padded with
    /// `FF`, does not occur in the DOLs this project fills.)
    public func build(values: [TLVTag: [UInt8]], numericTags: Set<TLVTag> = DataObjectList.numericTags) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(totalLength)
        for entry in entries {
            let value = values[entry.tag] ?? []
            let isNumeric = numericTags.contains(entry.tag)
            if value.count >= entry.length {
                data += isNumeric ? value.suffix(entry.length) : value.prefix(entry.length)
            } else {
                let padding = [UInt8](repeating: 0, count: entry.length - value.count)
                data += isNumeric ? padding + value : value + padding
            }
        }
        return data
    }

    public func serialized() -> [UInt8] {
        entries.flatMap { $0.tag.bytes + TLV.encodeLength($0.length) }
    }
}
