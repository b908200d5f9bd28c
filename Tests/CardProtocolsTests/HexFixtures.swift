import Testing

/// Hex fixtures in the tests are written as on paper: "3B 8F 80 01", spaces optional.
func hex(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    guard digits.count % 2 == 0 else {
        Issue.record("odd number of hex digits in fixture \(text)", sourceLocation: sourceLocation)
        return []
    }
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        guard let byte = UInt8(digits[index..<next], radix: 16) else {
            Issue.record("bad hex \(digits[index..<next]) in fixture \(text)", sourceLocation: sourceLocation)
            return []
        }
        bytes.append(byte)
        index = next
    }
    return bytes
}

func hexText(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16, uppercase: true).count == 1
        ? "0" + String($0, radix: 16, uppercase: true) : String($0, radix: 16, uppercase: true) }
        .joined(separator: " ")
}
