/// A payment card number: 12–19 digits whose last digit is the Luhn check digit.
public struct PrimaryAccountNumber: Hashable, Sendable, CustomStringConvertible {
    public let digits: String

    /// - Throws: ``CardSimulatorError/Code-swift.struct/invalidArgument`` for anything but 12–19
    ///   decimal digits (spaces allowed between groups) with a valid Luhn check digit.
    public init(_ text: String) throws(CardSimulatorError) {
        let digits = text.filter { $0 != " " }
        guard (12...19).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw CardSimulatorError(.invalidArgument, "a PAN has 12 to 19 decimal digits; got '\(text)'")
        }
        guard Self.passesLuhn(digits) else {
            throw CardSimulatorError(.invalidArgument, "PAN \(digits) fails the Luhn check: its last digit should be \(Self.checkDigit(for: String(digits.dropLast())))")
        }
        self.digits = digits
    }

    /// Stores digits already known to be valid.
    init(storing digits: String) {
        self.digits = digits
    }

    public var description: String { digits }

    /// BCD, two digits per byte, padded with `F` to a whole byte (tag `5A`).
    public var bcd: [UInt8] { Self.packNibbles(digits.compactMap { $0.hexDigitValue.map(UInt8.init) }) }

    static func passesLuhn(_ digits: String) -> Bool {
        checkDigit(for: String(digits.dropLast())) == digits.last?.wholeNumberValue
    }

    /// The Luhn digit that completes `payload`.
    static func checkDigit(for payload: String) -> Int {
        var sum = 0
        for (index, character) in payload.reversed().enumerated() {
            guard let digit = character.wholeNumberValue else { return -1 }
            if index % 2 == 0 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return (10 - sum % 10) % 10
    }

    /// Packs nibbles two per byte, padding an odd count with `F`.
    static func packNibbles(_ nibbles: [UInt8]) -> [UInt8] {
        let padded = nibbles.count % 2 == 0 ? nibbles : nibbles + [0x0F]
        return stride(from: 0, to: padded.count, by: 2).map { padded[$0] << 4 | padded[$0 + 1] }
    }
}
