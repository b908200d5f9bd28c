/// A forward-only cursor over bytes that never traps: every read either returns the bytes or throws
/// ``CardProtocolError/truncated`` naming what was being read.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
    }

    var remainingCount: Int { bytes.count - offset }
    var isAtEnd: Bool { offset >= bytes.count }

    func peek() -> UInt8? { isAtEnd ? nil : bytes[offset] }

    mutating func readByte(_ what: @autoclosure () -> String) throws(CardProtocolError) -> UInt8 {
        guard offset < bytes.count else {
            throw .truncated("\(what()) is missing at offset \(offset) of \(bytes.count) bytes")
        }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16(_ what: @autoclosure () -> String) throws(CardProtocolError) -> UInt16 {
        let pair = try read(2, what())
        return UInt16(pair[0]) << 8 | UInt16(pair[1])
    }

    /// Reads `count` bytes; the count is checked against the bytes present before anything is allocated.
    mutating func read(_ count: Int, _ what: @autoclosure () -> String) throws(CardProtocolError) -> [UInt8] {
        guard count >= 0, count <= remainingCount else {
            throw .truncated("\(what()) needs \(count) bytes at offset \(offset), only \(remainingCount) present")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func readRemaining() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(bytes[offset...])
    }

    mutating func skip(_ count: Int) {
        offset = min(offset + max(count, 0), bytes.count)
    }
}
