/// An ISO 7816-4 command APDU.
///
/// The value holds the fields, not an encoding: ``serialized()`` picks the short form when Lc ≤ 255 and
/// Le ≤ 256, and the extended form otherwise, so one value always has exactly one encoding.
public struct CommandAPDU: Hashable, Sendable {
    public static let maximumDataLength = 65_535
    public static let maximumExpectedLength = 65_536

    public let cla: UInt8
    public let ins: UInt8
    public let p1: UInt8
    public let p2: UInt8
    public let data: [UInt8]
    /// Le: how many response bytes are expected; `nil` sends no Le field. 256 (short) and 65 536
    /// (extended) are encoded as zeros, as ISO 7816-4 specifies.
    public let expectedLength: Int?

    /// - Throws: ``CardProtocolError/invalidValue`` when the data is longer than 65 535 bytes or
    ///   Le is outside 1…65 536.
    public init(
        cla: UInt8, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8] = [], expectedLength: Int? = nil
    ) throws(CardProtocolError) {
        guard data.count <= Self.maximumDataLength else {
            throw .invalidValue("command data of \(data.count) bytes exceeds the extended APDU maximum of 65535")
        }
        if let expectedLength, !(1...Self.maximumExpectedLength).contains(expectedLength) {
            throw .invalidValue("Le \(expectedLength) is outside 1...65536 (use nil for no Le)")
        }
        self.init(unchecked: cla, ins, p1, p2, data, expectedLength)
    }

    /// For factories whose arguments are valid by construction.
    init(unchecked cla: UInt8, _ ins: UInt8, _ p1: UInt8, _ p2: UInt8, _ data: [UInt8], _ expectedLength: Int?) {
        self.cla = cla
        self.ins = ins
        self.p1 = p1
        self.p2 = p2
        self.data = data
        self.expectedLength = expectedLength
    }

    /// True when ``serialized()`` uses the extended length form.
    public var isExtended: Bool {
        data.count > 255 || (expectedLength ?? 0) > 256
    }

    /// The same command with another Le, as a `6Cxx` answer asks for.
    public func withExpectedLength(_ expectedLength: Int?) throws(CardProtocolError) -> CommandAPDU {
        try CommandAPDU(cla: cla, ins: ins, p1: p1, p2: p2, data: data, expectedLength: expectedLength)
    }

    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = [cla, ins, p1, p2]
        bytes.reserveCapacity(4 + 3 + data.count + 2)
        if isExtended {
            bytes.append(0x00)
            if !data.isEmpty {
                bytes.append(UInt8(data.count >> 8))
                bytes.append(UInt8(data.count & 0xFF))
                bytes += data
            }
            if let expectedLength {
                let encoded = expectedLength == 65_536 ? 0 : expectedLength
                bytes.append(UInt8(encoded >> 8))
                bytes.append(UInt8(encoded & 0xFF))
            }
        } else {
            if !data.isEmpty {
                bytes.append(UInt8(data.count))
                bytes += data
            }
            if let expectedLength {
                bytes.append(expectedLength == 256 ? 0 : UInt8(expectedLength))
            }
        }
        return bytes
    }
}

extension CommandAPDU: CustomStringConvertible {
    public var description: String {
        var text = "\(hexString(cla)) \(hexString(ins)) \(hexString(p1)) \(hexString(p2))"
        if !data.isEmpty { text += " Lc=\(data.count) \(hexString(data))" }
        if let expectedLength { text += " Le=\(expectedLength)" }
        return text
    }
}
