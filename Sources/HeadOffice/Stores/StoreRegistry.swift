import Crypto
import Foundation
import Logging
import PostgresNIO
import SyncProtocol

/// The stores head office accepts, with the public half of each store's signing key.
public struct RegisteredStore: Sendable, Hashable {
    public var id: String
    public var name: String
    public var region: String?
    public var publicKey: String
    public var revokedAt: Date?
    public var acknowledgedSequence: Int64
    public var highestReceived: Int64
    public var lastPushAt: Date?
}

extension HeadOfficeDatabase {
    /// Registers a store and returns its credential, which is shown once: head office keeps only the public key.
    public func addStore(id: String, name: String, region: String? = nil) async throws -> StoreCredential {
        guard StoreIdentifier.isValid(id) else { throw HeadOfficeError(.invalidArgument, "store id: \(StoreIdentifier.rule)") }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(name.count) else { throw HeadOfficeError(.invalidArgument, "store name: 1 to 200 characters") }
        let credential = StoreCredential(storeId: id)
        let key = credential.publicKeyText
        let inserted = try await transaction { connection in
            let rows = try await connection.query("""
                INSERT INTO store (id, name, region, public_key) VALUES (\(id), \(name), \(region), \(key))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger)
            var count = 0
            for try await _ in rows { count += 1 }
            return count
        }
        guard inserted == 1 else {
            throw HeadOfficeError(.conflict, "store \(id) is already registered: use 'parcours hq store rotate' to issue it a new credential")
        }
        return credential
    }

    /// Issues a new credential to a store; the old one stops working at once.
    public func rotateStoreCredential(id: String) async throws -> StoreCredential {
        let credential = StoreCredential(storeId: id)
        let key = credential.publicKeyText
        let updated = try await transaction { connection in
            try await connection.query("UPDATE store SET public_key = \(key), revoked_at = NULL WHERE id = \(id) RETURNING id", logger: logger)
                .collect().count
        }
        guard updated == 1 else { throw HeadOfficeError(.notFound, "no store \(id) is registered") }
        return credential
    }

    public func revokeStore(id: String) async throws {
        let updated = try await transaction { connection in
            try await connection.query("UPDATE store SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL RETURNING id", logger: logger)
                .collect().count
        }
        guard updated == 1 else { throw HeadOfficeError(.notFound, "no active store \(id) is registered") }
    }

    /// How far below zero a store's offline redemptions may take a customer's chain balance before head office flags
    /// them as overdrafts. The store receives it through the feed and, while it cannot reach head office, lets a
    /// redemption take a customer's balance down to minus this, never further.
    public func setRedemptionAllowance(storeId: String, points: Int64) async throws {
        guard (0...1_000_000).contains(points) else {
            throw HeadOfficeError(.invalidArgument, "the redemption allowance must be from 0 to 1000000 points, got \(points)")
        }
        let updated = try await transaction { connection in
            let count = try await connection.query("UPDATE store SET redemption_allowance = \(points) WHERE id = \(storeId) RETURNING id", logger: logger)
                .collect().count
            guard count == 1 else { return count }
            try await AdvisoryLock.feed.take(on: connection, logger: logger)
            try await connection.query("""
                INSERT INTO change (store_id, kind, body)
                VALUES (\(storeId), 'storeSettings', jsonb_build_object('redemptionAllowance', \(points)::bigint))
                """, logger: logger)
            return count
        }
        guard updated == 1 else { throw HeadOfficeError(.notFound, "no store \(storeId) is registered") }
    }

    /// Redemptions that took a chain balance below the store's allowance, newest first.
    public func overdrafts() async throws -> [(redemptionId: UUID, storeId: String, profileId: UUID, cost: Int64, overdraft: Int64, at: Date)] {
        try await read { connection in
            try await connection.query("""
                SELECT id, store_id, profile_id, cost, overdraft, at FROM redemption WHERE overdraft IS NOT NULL ORDER BY at DESC
                """, logger: logger).decode((UUID, String, UUID, Int64, Int64, Date).self).gathered()
                .map { (redemptionId: $0.0, storeId: $0.1, profileId: $0.2, cost: $0.3, overdraft: $0.4, at: $0.5) }
        }
    }

    public func stores() async throws -> [RegisteredStore] {
        try await stores(where: nil)
    }

    /// Every store, or the one with `id`.
    private func stores(where id: String?) async throws -> [RegisteredStore] {
        try await read { connection in
            var stores: [RegisteredStore] = []
            let rows = try await connection.query("""
                SELECT id, name, region, public_key, revoked_at, acknowledged_sequence, highest_received, last_push_at
                FROM store WHERE \(id)::text IS NULL OR id = \(id) ORDER BY id
                """, logger: logger)
            for try await (id, name, region, key, revoked, acknowledged, highest, last) in rows.decode(
                (String, String, String?, String, Date?, Int64, Int64, Date?).self) {
                stores.append(RegisteredStore(id: id, name: name, region: region, publicKey: key, revokedAt: revoked,
                                              acknowledgedSequence: acknowledged, highestReceived: highest, lastPushAt: last))
            }
            return stores
        }
    }

    public func store(id: String) async throws -> RegisteredStore? {
        try await stores(where: id).first
    }

    /// Checks a signed request: the store exists and is not revoked, the signature holds, and the nonce is new.
    /// Returns the store id the request may act as.
    public func authenticate(method: String, pathAndQuery: String, body: some DataProtocol & Sendable,
                             headers: RequestSignature.Headers, now: Date = Date()) async throws -> String {
        let storeId = headers.storeId
        let found = try await read { connection in
            try await connection.query("SELECT public_key, revoked_at FROM store WHERE id = \(storeId)", logger: logger)
                .decode((String, Date?).self).gathered().first
        }
        guard let (keyText, revokedAt) = found else {
            throw HeadOfficeError(.unauthorized, "store \(storeId) is not registered at head office")
        }
        guard revokedAt == nil else { throw HeadOfficeError(.unauthorized, "store \(storeId)'s credential was revoked") }
        guard let raw = Base64URL.decode(keyText), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
            throw HeadOfficeError(.unauthorized, "store \(storeId) has no usable key at head office: rotate its credential")
        }
        do {
            try RequestSignature.verify(method: method, pathAndQuery: pathAndQuery, body: body, headers: headers,
                                        publicKey: key, now: now)
        } catch {
            throw HeadOfficeError(.unauthorized, error.description)
        }
        let nonce = headers.nonce
        let fresh = try await transaction { connection in
            // Forget nonces older than any timestamp that could still pass the clock check.
            let horizon = now.addingTimeInterval(-2 * RequestSignature.allowedClockSkew)
            try await connection.query("DELETE FROM request_nonce WHERE seen_at < \(horizon)", logger: logger)
            return try await connection.query("""
                INSERT INTO request_nonce (store_id, nonce, seen_at) VALUES (\(storeId), \(nonce), \(now))
                ON CONFLICT DO NOTHING RETURNING nonce
                """, logger: logger).collect().count == 1
        }
        guard fresh else { throw HeadOfficeError(.unauthorized, "this request was already received once: a replay is refused") }
        return storeId
    }
}
