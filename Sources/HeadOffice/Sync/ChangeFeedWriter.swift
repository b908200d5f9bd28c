import Foundation
import Logging
import PostgresNIO

/// Appends to the changes feed. Callers hold `AdvisoryLock.feed` (taken as the last lock of their transaction).
struct ChangeFeedWriter {
    let connection: PostgresConnection
    let logger: Logger

    static let timestamp = #"to_char(%@ AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"#

    /// What a store needs to know a profile it has not seen: the profile, its identifiers, the points movements
    /// made elsewhere, and its consents. In that order, so each change finds what it refers to.
    func backfill(profileId: UUID, toStore storeId: String) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO change (store_id, kind, body)
            SELECT $1, 'profile', jsonb_build_object('id', id, 'firstName', COALESCE(first_name, ''), 'lastName', last_name,
                   'email', email, 'phone', phone, 'language', COALESCE(language, 'fr'),
                   'createdAt', \(Self.format("created_at")), 'updatedAt', \(Self.format("updated_at")))
            FROM profile WHERE id = $2 AND erased_at IS NULL
            """, binds: try binds(storeId, profileId)), logger: logger)
        try await connection.query("""
            INSERT INTO change (store_id, kind, body)
            SELECT \(storeId), 'identifier', jsonb_build_object('kind', kind, 'value', value, 'profileId', profile_id,
                   'verified', verified, 'publicKey', public_key, 'revoked', revoked_at IS NOT NULL)
            FROM identifier WHERE profile_id = \(profileId) ORDER BY first_seen_at, kind, value
            """, logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO change (store_id, kind, body)
            SELECT $1, 'ledgerEntry', jsonb_build_object('id', id, 'profileId', profile_id, 'delta', delta, 'reason', reason,
                   'reference', reference, 'at', \(Self.format("at")),
                   'expiresAt', CASE WHEN expires_at IS NULL THEN NULL ELSE \(Self.format("expires_at")) END)
            FROM ledger_entry WHERE profile_id = $2 AND store_id IS DISTINCT FROM $1 ORDER BY at, id
            """, binds: try binds(storeId, profileId)), logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO change (store_id, kind, body)
            SELECT $1, 'consent', jsonb_build_object('id', id, 'profileId', profile_id, 'purpose', purpose, 'granted', granted,
                   'at', \(Self.format("at")))
            FROM consent WHERE profile_id = $2 ORDER BY at, id
            """, binds: try binds(storeId, profileId)), logger: logger)
    }

    /// Every store that knew either profile learns of the merge, after the survivor's backfill where it is new.
    /// Stores that already knew the survivor first get the merged profile's history they lack, so every store
    /// ends with the same balance as head office.
    func announce(_ merge: MergeOutcome) async throws {
        let known = merge.newlyKnownBy
        let ledger = merge.movedLedgerEntries.map { $0.uuidString.lowercased() }
        let consents = merge.movedConsents.map { $0.uuidString.lowercased() }
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO change (store_id, kind, body)
            SELECT sp.store_id, 'identifier', jsonb_build_object('kind', i.kind, 'value', i.value, 'profileId', i.profile_id,
                   'verified', i.verified, 'publicKey', i.public_key, 'revoked', i.revoked_at IS NOT NULL)
            FROM store_profile sp JOIN identifier i ON i.kind || ':' || i.value = ANY($3::text[])
            WHERE sp.profile_id = $1 AND NOT sp.store_id = ANY($2::text[])
            ORDER BY sp.store_id, i.kind, i.value
            """, binds: try binds(merge.survivorId, known, merge.movedIdentifiers)), logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO change (store_id, kind, body)
            SELECT sp.store_id, 'ledgerEntry', jsonb_build_object('id', l.id, 'profileId', l.profile_id, 'delta', l.delta,
                   'reason', l.reason, 'reference', l.reference, 'at', \(Self.format("l.at")),
                   'expiresAt', CASE WHEN l.expires_at IS NULL THEN NULL ELSE \(Self.format("l.expires_at")) END)
            FROM store_profile sp JOIN ledger_entry l ON l.id::text = ANY($3::text[]) AND l.store_id IS DISTINCT FROM sp.store_id
            WHERE sp.profile_id = $1 AND NOT sp.store_id = ANY($2::text[])
            ORDER BY sp.store_id, l.at, l.id
            """, binds: try binds(merge.survivorId, known, ledger)), logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO change (store_id, kind, body)
            SELECT sp.store_id, 'consent', jsonb_build_object('id', c.id, 'profileId', c.profile_id, 'purpose', c.purpose,
                   'granted', c.granted, 'at', \(Self.format("c.at")))
            FROM store_profile sp JOIN consent c ON c.id::text = ANY($3::text[])
            WHERE sp.profile_id = $1 AND NOT sp.store_id = ANY($2::text[])
            ORDER BY sp.store_id, c.at, c.id
            """, binds: try binds(merge.survivorId, known, consents)), logger: logger)
        try await connection.query("""
            INSERT INTO change (store_id, kind, body)
            SELECT store_id, 'merge', jsonb_build_object('aliasId', \(merge.mergedId.uuidString.lowercased()),
                                                        'survivorId', \(merge.survivorId.uuidString.lowercased()))
            FROM store_profile WHERE profile_id = \(merge.survivorId) ORDER BY store_id
            """, logger: logger)
    }

    /// Every store that knew the person removes their personal data.
    func announceErasure(of profileId: UUID) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO change (store_id, kind, body)
            SELECT sp.store_id, 'erasure', jsonb_build_object('profileId', $1::uuid, 'at', \(Self.format("p.erased_at")))
            FROM store_profile sp JOIN profile p ON p.id = sp.profile_id WHERE sp.profile_id = $1::uuid ORDER BY sp.store_id
            """, binds: try binds(profileId.uuidString.lowercased())), logger: logger)
    }

    /// To every store: the chain's reward catalog, whole.
    func announceRewardCatalog() async throws {
        try await connection.query("""
            INSERT INTO change (store_id, kind, body)
            SELECT NULL, 'rewardCatalog', jsonb_build_object('rewards', COALESCE(jsonb_agg(jsonb_build_object(
                   'id', id, 'name', name, 'cost', cost, 'active', active) ORDER BY id), '[]'::jsonb))
            FROM reward
            """, logger: logger)
    }

    static func format(_ column: String) -> String {
        timestamp.replacingOccurrences(of: "%@", with: column)
    }

    private func binds(_ values: any PostgresEncodable & Sendable...) throws -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { try binds.append(value, context: .default) }
        return binds
    }
}
