/// The AFL (tag `94`): which records of which files the terminal reads (EMV Book 3 §10.2).
public struct ApplicationFileLocator: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        /// Short file identifier, 1…30.
        public let sfi: UInt8
        public let firstRecord: UInt8
        public let lastRecord: UInt8
        /// How many records from `firstRecord` take part in offline data authentication.
        public let offlineAuthenticationRecordCount: UInt8

        /// READ RECORD for each record of the range.
        public var readRecordCommands: [CommandAPDU] {
            guard firstRecord <= lastRecord else { return [] }
            return (firstRecord...lastRecord).map { CommandAPDU.readRecordUnchecked(sfi: sfi, record: $0) }
        }
    }

    public let entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// - Throws: ``CardProtocolError/lengthMismatch`` unless the length is a multiple of 4,
    ///   ``CardProtocolError/invalidValue`` for SFI 0 or 31, record 0, a first record after the last,
    ///   or an ODA count larger than the range.
    public init(parsing bytes: [UInt8]) throws(CardProtocolError) {
        guard bytes.count % 4 == 0 else {
            throw .lengthMismatch("AFL of \(bytes.count) bytes is not a whole number of 4-byte entries")
        }
        var entries: [Entry] = []
        var index = 0
        while index + 4 <= bytes.count {
            let sfi = bytes[index] >> 3
            let (first, last, oda) = (bytes[index + 1], bytes[index + 2], bytes[index + 3])
            let at = "AFL entry \(index / 4) (\(hexString(bytes[index..<index + 4])))"
            guard (1...30).contains(sfi) else {
                throw .invalidValue("\(at) names SFI \(sfi); only 1...30 are valid")
            }
            guard first != 0 else { throw .invalidValue("\(at) starts at record 0") }
            guard first <= last else { throw .invalidValue("\(at) has first record \(first) after last record \(last)") }
            guard Int(oda) <= Int(last) - Int(first) + 1 else {
                throw .invalidValue("\(at) counts \(oda) records for offline authentication in a range of \(Int(last) - Int(first) + 1)")
            }
            entries.append(Entry(sfi: sfi, firstRecord: first, lastRecord: last, offlineAuthenticationRecordCount: oda))
            index += 4
        }
        self.entries = entries
    }

    /// READ RECORD commands for every record the AFL lists, in order.
    public var readRecordCommands: [CommandAPDU] { entries.flatMap(\.readRecordCommands) }

    public func serialized() -> [UInt8] {
        entries.flatMap { [$0.sfi << 3, $0.firstRecord, $0.lastRecord, $0.offlineAuthenticationRecordCount] }
    }
}
