import Foundation
import Logging
import PostgresNIO

extension HeadOfficeDatabase {
    /// Revokes a card, companion-app device or payment token chain-wide: it stays on record but identifies nobody
    /// any more, here and, after their next pull, in every store (a stolen card tapped anywhere is a stranger's).
    public func revokeIdentifier(kind: String, value: String) async throws {
        try await transaction { connection in
            try await AdvisoryLock.identity.take(on: connection, logger: logger)
            let updated = try await connection.query("""
                UPDATE identifier SET revoked_at = COALESCE(revoked_at, now()) WHERE kind = \(kind) AND value = \(value)
                RETURNING profile_id
                """, logger: logger).decode(UUID?.self).gathered()
            guard let owner = updated.first else {
                throw HeadOfficeError(.notFound, "head office knows no \(kind) with that value")
            }
            try await AdvisoryLock.feed.take(on: connection, logger: logger)
            // To every store: the card may turn up where its owner was never seen.
            try await connection.query("""
                INSERT INTO change (store_id, kind, body)
                VALUES (NULL, 'identifier', jsonb_build_object('kind', \(kind)::text, 'value', \(value)::text,
                        'profileId', \(owner.map { $0.uuidString.lowercased() } ?? "00000000-0000-0000-0000-000000000000")::text,
                        'verified', true, 'publicKey', NULL, 'revoked', true))
                """, logger: logger)
            logger.info("identifier revoked", metadata: ["kind": "\(kind)"])
        }
    }
}
