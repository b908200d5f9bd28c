import Crypto

/// Issues Parcours loyalty cards: NTAG21x tags whose NDEF holds the single URI record
/// `https://<host>/c/<cardID>?k=<keyID>&s=<signature>`.
///
/// Size: the host is at most 80 characters (``maximumHostLength``). With the longest key id (8) that
/// URL is 131 characters after the `https://` prefix byte; its short URI record is 136 bytes, the NDEF
/// TLV 138, plus the terminator TLV and the 5-byte Lock Control TLV NTAG213 ships with: 144 bytes,
/// NTAG213's whole data area. NTAG215/216 have room to spare.
public struct LoyaltyCardSigner: Sendable {
    public static let maximumHostLength = LoyaltyCardHost.maximumLength

    public let keyring: LoyaltyCardKeyring

    public init(keyring: LoyaltyCardKeyring) {
        self.keyring = keyring
    }

    /// A fresh card id from the system's CSPRNG (60 bits).
    public func makeCardID() -> LoyaltyCardID {
        LoyaltyCardID.random()
    }

    /// The URI to write to the tag with `uid`, signed with the keyring's current key.
    ///
    /// - Parameter host: The brand's host, lower-cased before signing.
    /// - Throws: ``CardSecurityError`` `.configuration` for a host that is not a DNS name of at most
    ///   80 characters, or an empty UID.
    public func makeCardURL(host: String, cardID: LoyaltyCardID, uid: [UInt8]) throws -> String {
        let host = try LoyaltyCardHost.normalized(host)
        guard !uid.isEmpty, uid.count <= 10 else {
            throw CardSecurityError.configuration("tag UID must be 1–10 bytes, got \(uid.count)")
        }
        let keyID = keyring.currentKeyID
        guard let key = keyring.key(for: keyID) else {
            // The keyring's initialiser guarantees the current key; kept as a typed error, not a trap.
            throw CardSecurityError.configuration("current loyalty card key \(keyID) is missing")
        }
        let signature = LoyaltyCardSignature.compute(key: key, host: host, cardID: cardID, uid: uid)
        return "https://\(host)/c/\(cardID.rawValue)?k=\(keyID)&s=\(signature)"
    }
}
