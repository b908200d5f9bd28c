import Crypto

/// The AES-128 keys an NTAG 424 DNA uses for SUN messages.
///
/// With ``diversified(masterMetaKey:masterFileKey:systemIdentifier:)`` only the file read key is
/// diversified per tag (AN10922 with UID ‖ system identifier as input). The meta read key cannot be:
/// PICCData must be decrypted before the UID is known, so every tag of the deployment is programmed
/// with `masterMetaKey` itself as its SDMMetaReadKey (the AN12196/AN10922 practice). Leaking it
/// reveals UIDs and counters, not the power to forge: the MAC needs the per-tag file read key, and
/// the file read key of one tag says nothing about another's.
public enum SUNKeys: Sendable {
    /// The same two keys on every tag.
    case fixed(metaReadKey: SymmetricKey, fileReadKey: SymmetricKey)
    /// A shared meta read key; per-tag file read keys diversified from `masterFileKey`.
    case diversified(masterMetaKey: SymmetricKey, masterFileKey: SymmetricKey, systemIdentifier: [UInt8])

    /// The most system identifier bytes that fit AN10922's 31-byte input next to a 7-byte UID.
    public static let maximumSystemIdentifierLength = AN10922.maximumInputLength - 7

    /// The SDMMetaReadKey every tag shares.
    public var metaReadKey: SymmetricKey {
        switch self {
        case .fixed(let metaReadKey, _): metaReadKey
        case .diversified(let masterMetaKey, _, _): masterMetaKey
        }
    }

    /// The SDMFileReadKey of the tag with this UID.
    public func fileReadKey(uid: [UInt8]) throws -> SymmetricKey {
        switch self {
        case .fixed(_, let fileReadKey):
            return fileReadKey
        case .diversified(_, let masterFileKey, let systemIdentifier):
            return try AN10922.diversifyAES128(masterKey: masterFileKey, input: uid + systemIdentifier)
        }
    }

    func validate() throws {
        switch self {
        case .fixed(let metaReadKey, let fileReadKey):
            try AES128.requireKey(metaReadKey, named: "SDM meta read key")
            try AES128.requireKey(fileReadKey, named: "SDM file read key")
        case .diversified(let masterMetaKey, let masterFileKey, let systemIdentifier):
            try AES128.requireKey(masterMetaKey, named: "SDM master meta read key")
            try AES128.requireKey(masterFileKey, named: "SDM master file read key")
            guard systemIdentifier.count <= Self.maximumSystemIdentifierLength else {
                throw CardSecurityError.configuration(
                    "system identifier is \(systemIdentifier.count) bytes; "
                        + "at most \(Self.maximumSystemIdentifierLength) fit beside a 7-byte UID")
            }
        }
    }
}
