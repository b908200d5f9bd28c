extension CommandAPDU {
    /// Decodes any of the ISO 7816-4 cases 1, 2S, 3S, 4S, 2E, 3E and 4E.
    ///
    /// A body starting with `00` and at least 3 bytes long is read as extended; that is the only
    /// reading ISO allows, because a short Lc of zero does not exist.
    public init(parsing bytes: [UInt8]) throws(CardProtocolError) {
        guard bytes.count >= 4 else {
            throw .truncated("command APDU needs a 4-byte header, got \(bytes.count) bytes")
        }
        let (cla, ins, p1, p2) = (bytes[0], bytes[1], bytes[2], bytes[3])
        let body = Array(bytes[4...])
        var data: [UInt8] = []
        var expectedLength: Int?

        switch body.count {
        case 0:
            break  // case 1
        case 1:
            expectedLength = body[0] == 0 ? 256 : Int(body[0])  // case 2S
        default:
            if body[0] != 0 {
                let lc = Int(body[0])
                switch body.count {
                case 1 + lc:
                    data = Array(body[1...])  // case 3S
                case 2 + lc:
                    data = Array(body[1..<1 + lc])  // case 4S
                    expectedLength = body[1 + lc] == 0 ? 256 : Int(body[1 + lc])
                default:
                    throw .lengthMismatch(
                        "short Lc \(lc) needs a body of \(1 + lc) or \(2 + lc) bytes, got \(body.count)")
                }
            } else {
                guard body.count >= 3 else {
                    throw .malformed("body 00 \(hexString(body.dropFirst())) is neither a short Le nor an extended length")
                }
                let first = Int(body[1]) << 8 | Int(body[2])
                if body.count == 3 {
                    expectedLength = first == 0 ? 65_536 : first  // case 2E
                } else {
                    guard first != 0 else {
                        throw .malformed("extended Lc is zero but \(body.count - 3) more bytes follow")
                    }
                    let lc = first
                    switch body.count {
                    case 3 + lc:
                        data = Array(body[3...])  // case 3E
                    case 5 + lc:
                        data = Array(body[3..<3 + lc])  // case 4E
                        let le = Int(body[3 + lc]) << 8 | Int(body[4 + lc])
                        expectedLength = le == 0 ? 65_536 : le
                    default:
                        throw .lengthMismatch(
                            "extended Lc \(lc) needs a body of \(3 + lc) or \(5 + lc) bytes, got \(body.count)")
                    }
                }
            }
        }
        self.init(unchecked: cla, ins, p1, p2, data, expectedLength)
    }
}
