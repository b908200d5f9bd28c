/// Checks a Parcours loyalty card read from a tag: the URI must be ours, name a known key, and carry
/// the signature of its host, card id and the UID of the tag it was read from.
public struct LoyaltyCardVerifier: Sendable {
    /// Far above the 131 characters a card can hold; bounds the work on foreign input.
    static let maximumURILength = 512

    public let keyring: LoyaltyCardKeyring
    /// The chain's card hosts, lower case.
    public let hosts: Set<String>

    /// - Throws: ``CardSecurityError`` `.configuration` when a host is not a DNS name of at most 80
    ///   characters or `hosts` is empty.
    public init(keyring: LoyaltyCardKeyring, hosts: Set<String>) throws {
        guard !hosts.isEmpty else {
            throw CardSecurityError.configuration("a loyalty card verifier needs at least one card host")
        }
        self.keyring = keyring
        self.hosts = Set(try hosts.map(LoyaltyCardHost.normalized))
    }

    /// - Parameters:
    ///   - uri: The URI record's text, `https://<host>/c/<cardID>?k=<keyID>&s=<signature>`.
    ///   - uid: The UID of the tag the record was read from.
    /// - Throws: ``CardSecurityError``: `.foreignCard` (another host), `.unknownKey` (key id not in the
    ///   keyring), `.malformed` (shape, card id, signature length), `.badSignature` (edited, copied to
    ///   another tag, or signed with another key).
    public func verify(uri: String, uid: [UInt8]) throws -> LoyaltyCardID {
        let card = try ParsedCardURI(uri, hosts: hosts)
        guard let key = keyring.key(for: card.keyID) else {
            throw CardSecurityError.unknownKey(
                "card key id \(card.keyID.prefix(16)) is not in the keyring: a retired or foreign key")
        }
        let cardID = try LoyaltyCardID(validating: card.cardID)
        guard card.signature.utf8.count == LoyaltyCardSignature.textLength else {
            throw CardSecurityError.malformed(
                "card signature must be \(LoyaltyCardSignature.textLength) base64url characters, got \(card.signature.utf8.count)")
        }
        guard (1...10).contains(uid.count) else {
            throw CardSecurityError.malformed("tag UID must be 1–10 bytes, got \(uid.count)")
        }
        let expected = LoyaltyCardSignature.compute(key: key, host: card.host, cardID: cardID, uid: uid)
        guard constantTimeEquals(Array(expected.utf8), Array(card.signature.utf8)) else {
            throw CardSecurityError.badSignature(
                "card signature mismatch: card id edited, card copied to another tag, or wrong key")
        }
        return cardID
    }
}

/// The pieces of `https://<host>/c/<cardID>?k=<keyID>&s=<signature>`, unchecked beyond the shape.
private struct ParsedCardURI {
    let host: String
    let cardID: String
    let keyID: String
    let signature: String

    /// - Throws: `.foreignCard` before any shape check when the URI is not an https URL of one of `hosts`:
    ///   another brand's card is not a forgery of ours.
    init(_ uri: String, hosts: Set<String>) throws {
        let characters = Array(uri.utf8)
        guard characters.count <= LoyaltyCardVerifier.maximumURILength else {
            throw CardSecurityError.malformed("card URI is \(characters.count) characters; a card holds far fewer")
        }
        let scheme = Array("https://".utf8)
        guard characters.count >= scheme.count,
            String(decoding: characters[..<scheme.count], as: UTF8.self).lowercased() == "https://"
        else {
            throw CardSecurityError.foreignCard("card URI is not an https URL, so not one of ours")
        }
        let afterScheme = characters[scheme.count...]
        let hostEnd = afterScheme.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? characters.count
        host = String(decoding: characters[scheme.count..<hostEnd], as: UTF8.self).lowercased()
        guard hosts.contains(host) else {
            throw CardSecurityError.foreignCard(
                "card host \(host.prefix(64)) is not one of ours (\(hosts.sorted().joined(separator: ", ")))")
        }

        let pathPrefix = Array("/c/".utf8)
        guard characters[hostEnd...].starts(with: pathPrefix) else {
            throw CardSecurityError.malformed("card URI path must be /c/<card id>")
        }
        let cardIDStart = hostEnd + pathPrefix.count
        guard let questionMark = characters[cardIDStart...].firstIndex(of: UInt8(ascii: "?")) else {
            throw CardSecurityError.malformed("card URI has no ?k=<key id>&s=<signature>")
        }
        cardID = String(decoding: characters[cardIDStart..<questionMark], as: UTF8.self)

        var values: [String: String] = [:]
        for pair in characters[(questionMark + 1)...].split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            let name = String(decoding: pair[pair.startIndex..<equals], as: UTF8.self)
            let value = equals < pair.endIndex ? String(decoding: pair[(equals + 1)...], as: UTF8.self) : ""
            guard name == "k" || name == "s" else {
                throw CardSecurityError.malformed("card URI has an unexpected parameter \"\(name.prefix(16))\"")
            }
            guard values.updateValue(value, forKey: name) == nil else {
                throw CardSecurityError.malformed("card URI parameter \(name) appears twice")
            }
        }
        guard let keyID = values["k"] else {
            throw CardSecurityError.malformed("card URI parameter k (key id) missing")
        }
        guard let signature = values["s"] else {
            throw CardSecurityError.malformed("card URI parameter s (signature) missing")
        }
        self.keyID = keyID
        self.signature = signature
    }
}
