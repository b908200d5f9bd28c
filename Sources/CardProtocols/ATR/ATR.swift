/// An Answer To Reset (ISO 7816-3 §8.2), as PC/SC reports it for contact cards and as contactless
/// readers synthesize it (PC/SC part 3 §3.1.3).
public struct ATR: Hashable, Sendable {
    /// ISO 7816-3 caps an ATR at 32 bytes after TS.
    public static let maximumLength = 33

    /// Interface bytes of one level i (TAi, TBi, TCi, TDi); absent bytes are `nil`.
    public struct InterfaceBytes: Hashable, Sendable {
        public var ta: UInt8?
        public var tb: UInt8?
        public var tc: UInt8?
        public var td: UInt8?
    }

    public let bytes: [UInt8]
    /// `true` for TS `3F` (inverse convention), `false` for `3B`.
    public let isInverseConvention: Bool
    /// Levels 1, 2, … in order.
    public let interfaceBytes: [InterfaceBytes]
    public let historicalBytes: [UInt8]
    /// Protocols T announced by the TDi bytes in order, without duplicates; `[0]` when there is no TD1.
    public let protocols: [Int]
    public let checkByte: UInt8?

    /// - Throws: ``CardProtocolError/invalidValue`` for a TS other than `3B`/`3F`,
    ///   ``CardProtocolError/truncated`` or ``CardProtocolError/lengthMismatch`` when the interface and
    ///   historical bytes do not add up to the length, ``CardProtocolError/checksumMismatch`` for a bad TCK.
    public init(parsing bytes: [UInt8]) throws(CardProtocolError) {
        guard bytes.count <= Self.maximumLength else {
            throw .limitExceeded("ATR of \(bytes.count) bytes exceeds the ISO 7816-3 maximum of 33")
        }
        var reader = ByteReader(bytes)
        let ts = try reader.readByte("ATR TS byte")
        guard ts == 0x3B || ts == 0x3F else {
            throw .invalidValue("ATR TS byte \(hexString(ts)) is neither 3B (direct) nor 3F (inverse)")
        }
        let t0 = try reader.readByte("ATR format byte T0")
        let historicalCount = Int(t0 & 0x0F)

        var levels: [InterfaceBytes] = []
        var protocols: [Int] = []
        var indicator = t0 >> 4
        var level = 1
        // Each level that continues consumes its TD byte, so the loop ends with the input.
        while true {
            var current = InterfaceBytes()
            if indicator & 0x1 != 0 { current.ta = try reader.readByte("ATR TA\(level)") }
            if indicator & 0x2 != 0 { current.tb = try reader.readByte("ATR TB\(level)") }
            if indicator & 0x4 != 0 { current.tc = try reader.readByte("ATR TC\(level)") }
            if indicator & 0x8 != 0 { current.td = try reader.readByte("ATR TD\(level)") }
            levels.append(current)
            guard let td = current.td else { break }
            let announced = Int(td & 0x0F)
            if !protocols.contains(announced) { protocols.append(announced) }
            indicator = td >> 4
            level += 1
        }
        if protocols.isEmpty { protocols = [0] }

        self.historicalBytes = try reader.read(historicalCount, "ATR historical bytes (T0 announces \(historicalCount))")

        // TCK is present unless only T=0 is indicated (ISO 7816-3 §8.2.5).
        let hasCheckByte = protocols.contains { $0 != 0 }
        if hasCheckByte {
            let tck = try reader.readByte("ATR check byte TCK")
            let sum = bytes.dropFirst().reduce(UInt8(0), ^)
            guard sum == 0 else {
                throw .checksumMismatch(
                    "ATR check byte TCK \(hexString(tck)) is wrong: T0...TCK XOR to \(hexString(sum)), not 00")
            }
            self.checkByte = tck
        } else {
            self.checkByte = nil
        }
        guard reader.isAtEnd else {
            throw .lengthMismatch("ATR has \(reader.remainingCount) bytes after the historical bytes\(hasCheckByte ? " and TCK" : "")")
        }

        self.bytes = bytes
        self.isInverseConvention = ts == 0x3F
        self.interfaceBytes = levels
        self.protocols = protocols
    }
}

extension ATR: CustomStringConvertible {
    public var description: String { hexString(bytes) }
}
