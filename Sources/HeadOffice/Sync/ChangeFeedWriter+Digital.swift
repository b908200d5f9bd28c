import Foundation
import Logging
import PostgresNIO

extension ChangeFeedWriter {
    /// Tells the stores what digital upserts changed, the way Projection tells them what a store's events changed:
    /// merges first (the survivor backfilled to stores that only knew the merged profile, then `announce`), then
    /// stores whose anonymous taps turned out to be this customer's get the whole profile, then every other store
    /// that knows the profile gets the new version of the profile, its new identifiers and its new consents.
    /// E-commerce-only profiles no store has seen produce no change at all. Callers hold `AdvisoryLock.feed`.
    func announceDigital(_ upserts: [DigitalUpsert]) async throws {
        // Stores that received a whole profile in this transaction need no piecemeal changes for it.
        var backfilled: [UUID: Set<String>] = [:]
        for upsert in upserts {
            for merge in upsert.merges {
                for store in merge.newlyKnownBy {
                    try await backfill(profileId: merge.survivorId, toStore: store)
                    backfilled[merge.survivorId, default: []].insert(store)
                }
                try await announce(merge)
            }
        }
        for upsert in upserts where !upsert.storesWithVisits.isEmpty {
            let survivor = try await survivor(of: upsert.profileId)
            let newlyKnowing = try await connection.query("""
                INSERT INTO store_profile (store_id, profile_id)
                SELECT s.id, \(survivor) FROM store s WHERE s.id = ANY(\(upsert.storesWithVisits)::text[])
                ON CONFLICT DO NOTHING RETURNING store_id
                """, logger: logger).decode(String.self).gathered()
            for store in newlyKnowing.sorted() {
                try await backfill(profileId: survivor, toStore: store)
                backfilled[survivor, default: []].insert(store)
            }
        }
        for upsert in upserts {
            let survivor = try await survivor(of: upsert.profileId)
            let skip = (backfilled[survivor] ?? []).sorted()
            if upsert.profileChanged || !upsert.merges.isEmpty {
                try await announceProfile(survivor, except: skip)
            }
            if !upsert.newIdentifiers.isEmpty {
                try await connection.query("""
                    INSERT INTO change (store_id, kind, body)
                    SELECT sp.store_id, 'identifier', jsonb_build_object('kind', i.kind, 'value', i.value, 'profileId', i.profile_id,
                           'verified', i.verified, 'publicKey', i.public_key, 'revoked', i.revoked_at IS NOT NULL)
                    FROM identifier i JOIN store_profile sp ON sp.profile_id = i.profile_id
                    WHERE i.kind || ':' || i.value = ANY(\(upsert.newIdentifiers)::text[]) AND NOT sp.store_id = ANY(\(skip)::text[])
                    ORDER BY sp.store_id, i.kind, i.value
                    """, logger: logger)
            }
            if !upsert.newConsents.isEmpty {
                let ids = upsert.newConsents.map { $0.uuidString.lowercased() }
                try await connection.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO change (store_id, kind, body)
                    SELECT sp.store_id, 'consent', jsonb_build_object('id', c.id, 'profileId', c.profile_id, 'purpose', c.purpose,
                           'granted', c.granted, 'at', \(Self.format("c.at")))
                    FROM consent c JOIN store_profile sp ON sp.profile_id = c.profile_id
                    WHERE c.id::text = ANY($1::text[]) AND NOT sp.store_id = ANY($2::text[])
                    ORDER BY sp.store_id, c.at, c.id
                    """, binds: try digitalBinds(ids, skip)), logger: logger)
            }
        }
    }

    /// The profile as it now is, to every store that knows it (but those in `except`), in the form `backfill` sends.
    private func announceProfile(_ profileId: UUID, except skip: [String]) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO change (store_id, kind, body)
            SELECT sp.store_id, 'profile', jsonb_build_object('id', p.id, 'firstName', COALESCE(p.first_name, ''), 'lastName', p.last_name,
                   'email', p.email, 'phone', p.phone, 'language', COALESCE(p.language, 'fr'),
                   'createdAt', \(Self.format("p.created_at")), 'updatedAt', \(Self.format("p.updated_at")))
            FROM profile p JOIN store_profile sp ON sp.profile_id = p.id
            WHERE p.id = $1 AND p.erased_at IS NULL AND NOT sp.store_id = ANY($2::text[])
            ORDER BY sp.store_id
            """, binds: try digitalBinds(profileId, skip)), logger: logger)
    }

    private func survivor(of id: UUID) async throws -> UUID {
        try await connection.query("SELECT resolve_profile(\(id))", logger: logger).decode(UUID.self).gathered().first ?? id
    }

    private func digitalBinds(_ values: any PostgresEncodable & Sendable...) throws -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { try binds.append(value, context: .default) }
        return binds
    }
}
