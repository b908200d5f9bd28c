/// Hex fixtures for the tables: "FF CA 00 00 00" → bytes. Test-only: a bad fixture is a bug in the test.
func bytes(_ hex: String) -> [UInt8] {
    let digits = hex.filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd hex fixture: \(hex)")
    var result: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        guard let byte = UInt8(digits[index..<next], radix: 16) else { preconditionFailure("bad hex fixture: \(hex)") }
        result.append(byte)
        index = next
    }
    return result
}

func hex(_ bytes: [UInt8]?) -> String {
    guard let bytes else { return "nil" }
    return bytes.map { byte in
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }.joined(separator: " ")
}
