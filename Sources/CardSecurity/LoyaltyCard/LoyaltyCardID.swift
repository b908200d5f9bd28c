/// The identifier printed into a Parcours loyalty card: 12 Crockford base32 characters carrying
/// 60 random bits, upper case, no check symbol (the card's signature protects it).
public struct LoyaltyCardID: Sendable, Hashable, Codable, CustomStringConvertible {
    public static let length = 12
    /// Crockford's alphabet: digits and letters without I, L, O and U.
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    public let rawValue: String

    /// - Throws: ``CardSecurityError`` `.malformed` unless `rawValue` is exactly 12 upper-case
    ///   Crockford base32 characters.
    public init(validating rawValue: String) throws {
        let characters = Array(rawValue.utf8)
        guard characters.count == Self.length, characters.allSatisfy(Self.alphabet.contains) else {
            throw CardSecurityError.malformed(
                "card id \"\(rawValue.prefix(32))\" must be \(Self.length) Crockford base32 characters (0-9, A-Z without I, L, O, U)")
        }
        self.rawValue = rawValue
    }

    /// A fresh identifier from 60 bits of the system's cryptographically secure generator.
    public static func random() -> LoyaltyCardID {
        var generator = SystemRandomNumberGenerator()
        return LoyaltyCardID(bits: generator.next())
    }

    /// The identifier of the low 60 bits of `bits`, most significant group first.
    init(bits: UInt64) {
        let characters = (0..<Self.length).reversed().map { group in
            Self.alphabet[Int(bits >> (UInt64(group) * 5) & 0x1F)]
        }
        rawValue = String(decoding: characters, as: UTF8.self)
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        try self.init(validating: decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
