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
