import Crypto
import Foundation

/// The scheme both the signer and the verifier compute:
/// `base64url(HMAC-SHA256(key, "parcours-card-v1|" + host + "|" + cardID + "|" + UID hex))`, first 16
/// bytes, no padding (22 characters). Binding the UID makes a copy onto another tag fail.
enum LoyaltyCardSignature {
    static let domain = "parcours-card-v1"
    static let byteCount = 16
    static let textLength = 22

    static func compute(key: SymmetricKey, host: String, cardID: LoyaltyCardID, uid: [UInt8]) -> String {
        let message = "\(domain)|\(host)|\(cardID.rawValue)|\(Hex.encode(uid))"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)
        return base64URL(Array(mac.prefix(byteCount)))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }
}

/// The host names cards may carry: lower-case DNS names, so the signed text has one spelling.
enum LoyaltyCardHost {
    /// With an 8-character key id, the URI record, its NDEF TLV, the terminator TLV and NTAG213's
    /// factory Lock Control TLV then fill the 144-byte data area exactly (see ``LoyaltyCardSigner``).
    static let maximumLength = 80

    static func normalized(_ host: String) throws -> String {
        let lowered = host.lowercased()
        let characters = Array(lowered.utf8)
        let allowed = characters.allSatisfy { character in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(character)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character)
                || character == UInt8(ascii: "-") || character == UInt8(ascii: ".")
        }
        guard (1...maximumLength).contains(characters.count), allowed,
            characters.first != UInt8(ascii: "."), characters.last != UInt8(ascii: ".")
        else {
            throw CardSecurityError.configuration(
                "card host \"\(host.prefix(100))\" must be a DNS name of 1–\(maximumLength) characters (a-z, 0-9, '-', '.')")
        }
        return lowered
    }
}
