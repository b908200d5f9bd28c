import Foundation
import Logging
import PostgresNIO

extension IdentityResolver {
    /// Removes a person's personal data at head office: names, contact details, identifier values, consents,
    /// feedback comments and the copies of all of these inside the stored events. Visits, purchases and the ledger
    /// stay, tied to an id that no longer leads to anyone, so reports keep their counts.
    ///
    /// Returns the erased survivor, or nil when there was nobody (left) to erase.
    func erase(profileId: UUID, source: String) async throws -> UUID? {
        let survivor = try await resolve(profileId)
        guard let erasedAt = try await connection.query("SELECT erased_at FROM profile WHERE id = \(survivor) FOR UPDATE", logger: logger)
            .decode(Date?.self).gathered().first else { return nil }
        guard erasedAt == nil else { return nil }
        let everyId = [survivor] + (try await connection.query("SELECT alias_id FROM profile_alias WHERE survivor_id = \(survivor)", logger: logger)
            .decode(UUID.self).gathered())
        let ids = everyId.map { $0.uuidString.lowercased() }
        let values = try await connection.query("""
            SELECT kind, value FROM identifier WHERE profile_id = \(survivor)
            """, logger: logger).decode((String, String).self).gathered()
        let kinds = values.map(\.0), texts = values.map(\.1)
        // The copies inside the event log first, while the identifier values are still known.
        try await connection.query("""
            UPDATE store_event SET payload = (payload - 'firstName' - 'lastName' - 'email' - 'phone') || '{"erased": true}'
            WHERE type = 'profile.created' AND payload->>'id' = ANY(\(ids)::text[])
            """, logger: logger)
        try await connection.query("""
            UPDATE store_event e SET payload = (payload - 'value' - 'publicKey') || '{"erased": true}'
            FROM unnest(\(kinds)::text[], \(texts)::text[]) AS v(kind, value)
            WHERE e.type IN ('identifier.bound', 'identifier.seen') AND e.payload->>'kind' = v.kind AND e.payload->>'value' = v.value
            """, logger: logger)
        try await connection.query("""
            UPDATE store_event SET payload = (payload - 'comment') || '{"erased": true}'
            WHERE type = 'feedback.recorded' AND payload->>'profileId' = ANY(\(ids)::text[]) AND payload ? 'comment'
            """, logger: logger)
        // Changes not yet fetched by a store carry the same data; the erasure that follows replaces them.
        try await connection.query("""
            DELETE FROM change WHERE (kind = 'profile' AND body->>'id' = ANY(\(ids)::text[]))
                                  OR (kind IN ('identifier', 'consent') AND body->>'profileId' = ANY(\(ids)::text[]))
            """, logger: logger)
        try await connection.query("""
            DELETE FROM store_identifier si USING unnest(\(kinds)::text[], \(texts)::text[]) AS v(kind, value)
            WHERE si.kind = v.kind AND si.value = v.value
            """, logger: logger)
        try await connection.query("DELETE FROM identifier WHERE profile_id = \(survivor)", logger: logger)
        try await connection.query("DELETE FROM consent WHERE profile_id = \(survivor)", logger: logger)
        try await connection.query("UPDATE feedback SET comment = NULL WHERE profile_id = \(survivor)", logger: logger)
        try await connection.query("UPDATE touchpoint SET detail = NULL WHERE profile_id = \(survivor)", logger: logger)
        try await connection.query("""
            UPDATE profile SET first_name = NULL, last_name = NULL, email = NULL, phone = NULL, ecommerce_id = NULL,
                               erased_at = COALESCE(erased_at, now()), updated_at = now()
            WHERE id = ANY(\(ids)::text[]::uuid[])
            """, logger: logger)
        logger.info("profile erased", metadata: ["profile": "\(survivor)", "source": "\(source)"])
        return survivor
    }
}
