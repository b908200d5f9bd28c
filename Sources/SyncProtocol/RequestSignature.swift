import Crypto
import Foundation

/// Signed sync requests: a store proves who it is, and that the request is fresh and unaltered.
///
/// The store signs, with its Ed25519 key, a canonical text made of the method, the path with its query, the
/// store id, a timestamp, a random nonce and the SHA-256 of the body. Head office checks the signature against the
/// store's public key, refuses a timestamp more than ``allowedClockSkew`` away from its own clock, and refuses a
/// nonce it has seen (it remembers nonces for twice the skew): so an altered request fails the signature and a
/// replayed one fails the nonce.
public enum RequestSignature {
    public static let storeHeader = "X-Parcours-Store"
    public static let timestampHeader = "X-Parcours-Timestamp"
    public static let nonceHeader = "X-Parcours-Nonce"
    public static let signatureHeader = "X-Parcours-Signature"
    public static let allowedClockSkew: TimeInterval = 300

    public struct Headers: Sendable, Hashable {
        public var storeId: String
        public var timestamp: Int64
        public var nonce: String
        public var signature: String

        public var all: [(name: String, value: String)] {
            [(storeHeader, storeId), (timestampHeader, String(timestamp)), (nonceHeader, nonce), (signatureHeader, signature)]
        }
    }

    public static func canonicalText(method: String, pathAndQuery: String, storeId: String, timestamp: Int64,
                                     nonce: String, body: some DataProtocol) -> Data {
        let bodyHash = SHA256.hash(data: Data(body)).map { String(format: "%02x", $0) }.joined()
        return Data("PARCOURS-SYNC-1\n\(method.uppercased())\n\(pathAndQuery)\n\(storeId)\n\(timestamp)\n\(nonce)\n\(bodyHash)".utf8)
    }

    public static func sign(method: String, pathAndQuery: String, body: some DataProtocol, credential: StoreCredential,
                            now: Date = Date()) throws -> Headers {
        let timestamp = Int64(now.timeIntervalSince1970.rounded(.down))
        let nonce = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let text = canonicalText(method: method, pathAndQuery: pathAndQuery, storeId: credential.storeId,
                                 timestamp: timestamp, nonce: nonce, body: body)
        let signature = try credential.privateKey.signature(for: text)
        return Headers(storeId: credential.storeId, timestamp: timestamp, nonce: nonce,
                       signature: Data(signature).base64EncodedString())
    }

    public enum Failure: Error, Equatable, CustomStringConvertible, Sendable {
        case missingHeader(String)
        case malformed(String)
        case stale(skewSeconds: Int64)
        case badSignature

        public var description: String {
            switch self {
            case .missingHeader(let name): "the request is not signed: header \(name) is missing"
            case .malformed(let what): "the request's signature headers are malformed: \(what)"
            case .stale(let skew): "the request's timestamp is \(skew) s away from head office's clock (at most \(Int64(allowedClockSkew)) s allowed): check the store's clock"
            case .badSignature: "the signature does not match the request: it was altered, or signed with another key"
            }
        }
    }

    /// Checks everything but the nonce's freshness, which needs head office's memory of nonces.
    public static func verify(method: String, pathAndQuery: String, body: some DataProtocol, headers: Headers,
                              publicKey: Curve25519.Signing.PublicKey, now: Date = Date()) throws(Failure) {
        guard headers.nonce.utf8.count == 32, headers.nonce.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw .malformed("the nonce must be 32 lowercase hex digits")
        }
        let skew = Int64(now.timeIntervalSince1970.rounded(.down)) - headers.timestamp
        guard abs(skew) <= Int64(allowedClockSkew) else { throw .stale(skewSeconds: skew) }
        guard let signature = Data(base64Encoded: headers.signature), signature.count == 64 else {
            throw .malformed("the signature must be 64 bytes of base64")
        }
        let text = canonicalText(method: method, pathAndQuery: pathAndQuery, storeId: headers.storeId,
                                 timestamp: headers.timestamp, nonce: headers.nonce, body: body)
        guard publicKey.isValidSignature(signature, for: text) else { throw .badSignature }
    }

    /// Reads the four headers from any header lookup.
    public static func headers(_ lookup: (String) -> String?) throws(Failure) -> Headers {
        func value(_ name: String) throws(Failure) -> String {
            guard let value = lookup(name), !value.isEmpty else { throw .missingHeader(name) }
            return value
        }
        let storeId = try value(storeHeader)
        guard StoreIdentifier.isValid(storeId) else { throw .malformed("\(storeHeader): \(StoreIdentifier.rule)") }
        guard let timestamp = Int64(try value(timestampHeader)) else { throw .malformed("\(timestampHeader) must be Unix seconds") }
        return Headers(storeId: storeId, timestamp: timestamp, nonce: try value(nonceHeader), signature: try value(signatureHeader))
    }
}
