import Crypto

/// The HMAC keys of the loyalty card scheme, by key id, and the one new cards are signed with.
///
/// Rotation: add a new key and make it current; keep the old ones for as long as cards signed with
/// them should still be accepted (re-sign those cards when they are seen); then drop them.
public struct LoyaltyCardKeyring: Sendable {
    /// Key ids travel in the card URL; short ids leave room for the host on an NTAG213.
    public static let maximumKeyIDLength = 8
    public static let minimumKeyLength = 32

    public let currentKeyID: String
    private let keys: [String: SymmetricKey]

    /// - Parameters:
    ///   - keys: Key id (1–8 characters of `A-Z a-z 0-9`) → HMAC-SHA256 key of at least 32 bytes.
    ///   - currentKeyID: The id of the key new cards are signed with; must be in `keys`.
    /// - Throws: ``CardSecurityError`` `.configuration` naming the bad id or key.
    public init(keys: [String: SymmetricKey], currentKeyID: String) throws {
        for (keyID, key) in keys {
            try Self.validate(keyID: keyID)
            guard key.bitCount / 8 >= Self.minimumKeyLength else {
                throw CardSecurityError.configuration(
                    "loyalty card key \(keyID) is \(key.bitCount / 8) bytes; at least \(Self.minimumKeyLength) are required")
            }
        }
        guard keys[currentKeyID] != nil else {
            throw CardSecurityError.configuration("current loyalty card key id \(currentKeyID) is not in the keyring")
        }
        self.keys = keys
        self.currentKeyID = currentKeyID
    }

    public var keyIDs: Set<String> { Set(keys.keys) }

    public func key(for keyID: String) -> SymmetricKey? {
        keys[keyID]
    }

    static func isValid(keyID: String) -> Bool {
        let characters = Array(keyID.utf8)
        return (1...maximumKeyIDLength).contains(characters.count)
            && characters.allSatisfy { character in
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(character)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(character)
            }
    }

    private static func validate(keyID: String) throws {
        guard isValid(keyID: keyID) else {
            throw CardSecurityError.configuration(
                "loyalty card key id \"\(keyID.prefix(32))\" must be 1–\(maximumKeyIDLength) characters of A-Z, a-z, 0-9")
        }
    }
}
