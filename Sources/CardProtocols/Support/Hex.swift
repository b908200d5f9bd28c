/// Upper-case hex without separators, for error messages and descriptions.
func hexString(_ bytes: some Sequence<UInt8>) -> String {
    var text = ""
    for byte in bytes {
        text += hexString(byte)
    }
    return text
}

func hexString(_ byte: UInt8) -> String {
    let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}

func hexString(_ value: UInt16) -> String {
    hexString(UInt8(value >> 8)) + hexString(UInt8(value & 0xFF))
}
