/// Hex text to bytes and back, for UIDs, keys and `--verbose` traces.
///
/// Internal on purpose: other modules of the project have their own helpers, and two public
/// extensions with the same name would make every file that imports both ambiguous.
enum Hex {
    /// Decodes hex digits; spaces, colons and dashes between bytes are allowed ("04:A1 B2-C3").
    static func decode(_ text: String) throws(CardSimulatorError) -> [UInt8] {
        var digits: [UInt8] = []
        digits.reserveCapacity(text.utf8.count)
        for character in text.utf8 {
            switch character {
            case UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            default:
                guard let value = nibble(character) else {
                    throw CardSimulatorError(
                        .invalidHex, "'\(text)' is not hex: '\(Character(Unicode.Scalar(character)))' is not a hex digit")
                }
                digits.append(value)
            }
        }
        guard digits.count % 2 == 0 else {
            throw CardSimulatorError(.invalidHex, "'\(text)' has an odd number of hex digits (\(digits.count))")
        }
        return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    /// Upper-case hex, bytes joined by `separator`.
    static func encode(_ bytes: some Sequence<UInt8>, separator: String = "") -> String {
        bytes.map { byte in
            let high = digitsTable[Int(byte >> 4)]
            let low = digitsTable[Int(byte & 0x0F)]
            return String(decoding: [high, low], as: UTF8.self)
        }.joined(separator: separator)
    }

    private static let digitsTable: [UInt8] = Array("0123456789ABCDEF".utf8)

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
