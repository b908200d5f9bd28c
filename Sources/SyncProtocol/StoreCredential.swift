import Crypto
import Foundation

/// A store's secret: its id and an Ed25519 private key, printed once by `parcours hq store add`.
///
/// Head office keeps only the public key, so its database holds nothing that lets anyone sign as a store. The text
/// form is `parcours-store-1.<store id>.<base64url key>`; it goes in the store's environment
/// (`PARCOURS_HEADOFFICE_CREDENTIAL`) or config, never in git.
public struct StoreCredential: Sendable {
    public let storeId: String
    public let privateKey: Curve25519.Signing.PrivateKey

    public static let prefix = "parcours-store-1"

    public init(storeId: String, privateKey: Curve25519.Signing.PrivateKey = .init()) {
        self.storeId = storeId
        self.privateKey = privateKey
    }

    public init(parsing text: String) throws {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.prefix else {
            throw SyncProtocolError("a store credential looks like \(Self.prefix).<store id>.<key>: this one does not")
        }
        guard StoreIdentifier.isValid(String(parts[1])) else {
            throw SyncProtocolError("the store id in the credential is not valid: \(StoreIdentifier.rule)")
        }
        guard let raw = Base64URL.decode(String(parts[2])), raw.count == 32,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw SyncProtocolError("the key in the store credential is not a 32-byte base64url Ed25519 key")
        }
        self.storeId = String(parts[1])
        self.privateKey = key
    }

    public var text: String { "\(Self.prefix).\(storeId).\(Base64URL.encode(privateKey.rawRepresentation))" }

    /// What head office stores: base64url of the raw public key.
    public var publicKeyText: String { Base64URL.encode(privateKey.publicKey.rawRepresentation) }
}

/// Store ids travel in headers, URLs and file names: a short token.
public enum StoreIdentifier {
    public static let rule = "1 to 64 characters among a-z A-Z 0-9 - _"

    public static func isValid(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}

public struct SyncProtocolError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> Data? {
        guard text.utf8.allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "=") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
