import Crypto
import Foundation
import Logging
import PostgresNIO
import SyncProtocol

/// An API key as head office lists it: never the key, which only its creator saw.
public struct APIKeyInfo: Sendable, Hashable {
    public var name: String
    public var createdAt: Date
    public var revokedAt: Date?
}

/// Keys for systems that call head office's webhooks (the e-commerce platform). A key is 32 random bytes,
/// base64url, behind a `pcek_` prefix that makes a leaked one easy to recognize; head office stores only its
/// SHA-256, so a copy of the database lets nobody call the API.
extension HeadOfficeDatabase {
    static let apiKeyPrefix = "pcek_"

    /// Creates a key named `name` and returns it: the only time anyone sees it.
    public func addAPIKey(name: String) async throws -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw HeadOfficeError(.invalidArgument, "api key name: 1 to 100 characters") }
        var random = SystemRandomNumberGenerator()
        let key = Self.apiKeyPrefix + Base64URL.encode(Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }))
        let hash = Self.apiKeyHash(key)
        let id = UUID()
        let inserted = try await transaction { connection in
            try await connection.query("""
                INSERT INTO api_key (id, name, key_hash) VALUES (\(id), \(name), \(hash)) ON CONFLICT DO NOTHING RETURNING id
                """, logger: logger).collect().count
        }
        guard inserted == 1 else {
            throw HeadOfficeError(.conflict, "an active API key is already named '\(name)': revoke it first ('parcours hq api-key revoke --name \(name)') or choose another name")
        }
        return key
    }

    /// Refuses the active key named `name` from now on.
    public func revokeAPIKey(name: String) async throws {
        let revoked = try await transaction { connection in
            try await connection.query("""
                UPDATE api_key SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL RETURNING id
                """, logger: logger).collect().count
        }
        guard revoked == 1 else { throw HeadOfficeError(.notFound, "no active API key is named '\(name)'") }
    }

    public func apiKeys() async throws -> [APIKeyInfo] {
        try await read { connection in
            try await connection.query("SELECT name, created_at, revoked_at FROM api_key ORDER BY created_at, name", logger: logger)
                .decode((String, Date, Date?).self).gathered().map { APIKeyInfo(name: $0.0, createdAt: $0.1, revokedAt: $0.2) }
        }
    }

    /// The name of the key `presented` is, or `.unauthorized` for a key head office never issued and `.forbidden`
    /// for one that was revoked.
    public func authenticateAPIKey(_ presented: String) async throws -> String {
        guard presented.hasPrefix(Self.apiKeyPrefix), presented.utf8.count < 200 else {
            throw HeadOfficeError(.unauthorized, "the bearer token is not a parcours API key (they start with \(Self.apiKeyPrefix))")
        }
        let hash = Self.apiKeyHash(presented)
        let found = try await read { connection in
            try await connection.query("SELECT name, revoked_at FROM api_key WHERE key_hash = \(hash)", logger: logger)
                .decode((String, Date?).self).gathered().first
        }
        guard let (name, revokedAt) = found else { throw HeadOfficeError(.unauthorized, "this API key is not known to head office") }
        guard revokedAt == nil else { throw HeadOfficeError(.forbidden, "API key '\(name)' was revoked") }
        return name
    }

    static func apiKeyHash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
