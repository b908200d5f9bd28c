import Crypto
import Foundation

/// Bytes from hex text in fixtures; spaces allowed. A malformed fixture is a test bug, reported by
/// returning an empty array that then fails the test's own expectations.
func bytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8.filter { $0 != UInt8(ascii: " ") })
    guard digits.count % 2 == 0 else { return [] }
    var result: [UInt8] = []
    var index = 0
    while index < digits.count {
        guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
            return []
        }
        result.append(byte)
        index += 2
    }
    return result
}

func key(_ hex: String) -> SymmetricKey {
    SymmetricKey(data: bytes(hex))
}

func hexText(_ data: some Sequence<UInt8>) -> String {
    data.map { byte in
        let text = String(byte, radix: 16, uppercase: true)
        return text.count == 1 ? "0" + text : text
    }.joined()
}

let zeroKey = key("00000000000000000000000000000000")

/// A BER-TLV in hex with its length computed (short or 81 form), for readable EMV fixtures.
func tlv(_ tag: String, _ value: String) -> String {
    let length = bytes(value).count
    let lengthHex = length < 0x80 ? hexText([UInt8(length)]) : "81" + hexText([UInt8(truncatingIfNeeded: length)])
    return tag + lengthHex + value.replacingOccurrences(of: " ", with: "")
}
