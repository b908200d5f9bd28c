import Foundation
import Logging
import PostgresNIO
import SyncProtocol

/// Two profiles found to be one person, and why.
public struct MergeOutcome: Sendable, Hashable {
    public var mergeId: UUID
    public var survivorId: UUID
    public var mergedId: UUID
    /// Stores that knew the merged profile but not the survivor: they get the survivor's backfill first.
    public var newlyKnownBy: [String]
    /// The merged profile's history, now the survivor's, which stores that already knew the survivor lack.
    public var movedLedgerEntries: [UUID]
    public var movedConsents: [UUID]
    public var movedIdentifiers: [String]
}

/// Decides who an identifier belongs to, and merges profiles that share a verified one.
///
/// Runs under `AdvisoryLock.identity`, so decisions are taken one at a time chain-wide: two stores binding the same
/// card to two new profiles at the same moment end with one profile, whichever commits first. The oldest profile
/// survives (creation time, then id); the others become aliases and their history moves to it.
struct IdentityResolver {
    let connection: PostgresConnection
    let logger: Logger

    /// Kinds whose binding proves the person holds the thing (a card, a phone's key, a payment card): a match on
    /// them merges. Email, phone and e-commerce ids merge only when both sides say they were verified.
    static let possessionKinds: Set<String> = ["paymentToken", "paymentAccountReference", "loyaltyCard", "appDevice", "sunTag"]

    static func isVerified(kind: String, flag: Bool) -> Bool { possessionKinds.contains(kind) || flag }

    /// An identifier a store saw (`identifier.seen`, anonymous) or bound to a profile (`identifier.bound`).
    /// Its twin in SQL, `hq_bind_identifier` (migration v4), applies bindings during a push up to the first one that
    /// needs a merge; the two must decide alike.
    func record(_ event: IdentifierPayload, fromStore storeId: String) async throws -> [MergeOutcome] {
        let at = event.createdAt.flatMap(SyncDate.date) ?? Date()
        try await connection.query("""
            INSERT INTO store_identifier (id, store_id, kind, value) VALUES (\(event.id), \(storeId), \(event.kind), \(event.value))
            ON CONFLICT (id) DO NOTHING
            """, logger: logger)
        let verified = Self.isVerified(kind: event.kind, flag: event.verified ?? false)
        guard let claimed = event.profileId else {
            try await connection.query("""
                INSERT INTO identifier (kind, value, profile_id, verified, first_seen_at, first_store_id)
                VALUES (\(event.kind), \(event.value), NULL, \(verified), \(at), \(storeId))
                ON CONFLICT (kind, value) DO NOTHING
                """, logger: logger)
            return []
        }
        let profileId = try await resolve(claimed)
        guard try await profileExists(profileId) else {
            logger.warning("identifier bound to a profile head office does not have", metadata: ["store": "\(storeId)", "profile": "\(claimed)"])
            return []
        }
        let existing = try await connection.query("""
            SELECT profile_id, verified, revoked_at IS NOT NULL FROM identifier WHERE kind = \(event.kind) AND value = \(event.value) FOR UPDATE
            """, logger: logger).decode((UUID?, Bool, Bool).self).gathered().first
        guard let (owner, ownerVerified, revoked) = existing else {
            try await connection.query("""
                INSERT INTO identifier (kind, value, profile_id, verified, public_key, first_seen_at, first_store_id)
                VALUES (\(event.kind), \(event.value), \(profileId), \(verified), \(event.publicKey), \(at), \(storeId))
                """, logger: logger)
            try await attributeAnonymousVisits(kind: event.kind, value: event.value, to: profileId)
            return []
        }
        guard !revoked else {
            // A revoked card identifies nobody: binding it again (a thief signing up with it) merges nothing.
            logger.notice("revoked identifier bound again; not merged", metadata: ["kind": "\(event.kind)", "store": "\(storeId)"])
            return []
        }
        guard let owner else {
            try await connection.query("""
                UPDATE identifier SET profile_id = \(profileId), verified = \(verified), public_key = COALESCE(\(event.publicKey), public_key)
                WHERE kind = \(event.kind) AND value = \(event.value)
                """, logger: logger)
            try await attributeAnonymousVisits(kind: event.kind, value: event.value, to: profileId)
            return []
        }
        let currentOwner = try await resolve(owner)
        guard currentOwner != profileId else { return [] }
        guard verified && ownerVerified else {
            // Never merge on an unverified match: the identifier stays with its first owner, and people decide.
            logger.notice("unverified shared identifier not merged", metadata: [
                "kind": "\(event.kind)", "owner": "\(currentOwner)", "claimant": "\(profileId)", "store": "\(storeId)",
            ])
            return []
        }
        return [try await merge(currentOwner, profileId, kind: event.kind, value: event.value, source: "store \(storeId)")]
    }

    /// Visits made with the identifier before anyone owned it (the tap before a sign-up, in any store) join the
    /// new owner, as the store that bound it does locally.
    private func attributeAnonymousVisits(kind: String, value: String, to profileId: UUID) async throws {
        try await connection.query("""
            UPDATE visit SET profile_id = \(profileId)
            WHERE profile_id IS NULL AND identifier_id IN (SELECT id FROM store_identifier WHERE kind = \(kind) AND value = \(value))
            """, logger: logger)
    }

    func resolve(_ id: UUID) async throws -> UUID {
        try await connection.query("SELECT resolve_profile(\(id))", logger: logger).decode(UUID.self).gathered().first ?? id
    }

    private func profileExists(_ id: UUID) async throws -> Bool {
        try await connection.query("SELECT 1 FROM profile WHERE id = \(id)", logger: logger).collect().count == 1
    }

    /// Merges two live profiles; the older survives. History, identifiers, aliases and the stores that knew the
    /// merged profile all move to the survivor, so its ledger balance is the sum of both.
    func merge(_ a: UUID, _ b: UUID, kind: String, value: String, source: String) async throws -> MergeOutcome {
        let ordered = try await connection.query("""
            SELECT id FROM profile WHERE id IN (\(a), \(b)) ORDER BY created_at, id FOR UPDATE
            """, logger: logger).decode(UUID.self).gathered()
        guard ordered.count == 2 else { throw HeadOfficeError(.notFound, "a profile to merge does not exist") }
        let (survivor, merged) = (ordered[0], ordered[1])
        let mergeId = UUID()
        let movedLedger = try await connection.query("SELECT id FROM ledger_entry WHERE profile_id = \(merged)", logger: logger)
            .decode(UUID.self).gathered()
        let movedConsents = try await connection.query("SELECT id FROM consent WHERE profile_id = \(merged)", logger: logger)
            .decode(UUID.self).gathered()
        let movedIdentifiers = try await connection.query("SELECT kind || ':' || value FROM identifier WHERE profile_id = \(merged)", logger: logger)
            .decode(String.self).gathered()
        for table in ["visit", "purchase", "ledger_entry", "feedback", "consent", "redemption", "touchpoint", "identifier"] {
            try await connection.query(PostgresQuery(unsafeSQL: "UPDATE \(table) SET profile_id = $1 WHERE profile_id = $2",
                                                     binds: try Self.binds(survivor, merged)), logger: logger)
        }
        try await connection.query("UPDATE profile_alias SET survivor_id = \(survivor) WHERE survivor_id = \(merged)", logger: logger)
        try await connection.query("""
            INSERT INTO profile_alias (alias_id, survivor_id, merge_id) VALUES (\(merged), \(survivor), \(mergeId))
            """, logger: logger)
        let mergedEcommerceId = try await connection.query("SELECT ecommerce_id FROM profile WHERE id = \(merged)", logger: logger)
            .decode(String?.self).gathered().first ?? nil
        // The survivor's own values win; gaps are filled from the merged profile, whose copy is then cleared so the
        // person's data lives in one row. (Both parts of the statement see the rows as they were before it.)
        try await connection.query("""
            WITH m AS (SELECT * FROM profile WHERE id = \(merged)),
                 cleared AS (UPDATE profile SET merged_into = \(survivor), first_name = NULL, last_name = NULL, email = NULL,
                                                phone = NULL, ecommerce_id = NULL, updated_at = now()
                             WHERE id = \(merged) RETURNING id)
            UPDATE profile s SET first_name = COALESCE(NULLIF(s.first_name, ''), m.first_name),
                                 last_name = COALESCE(s.last_name, m.last_name), email = COALESCE(s.email, m.email),
                                 phone = COALESCE(s.phone, m.phone), language = COALESCE(s.language, m.language),
                                 updated_at = now()
            FROM m WHERE s.id = \(survivor) AND EXISTS (SELECT 1 FROM cleared)
            """, logger: logger)
        if let mergedEcommerceId {
            // Unique: moved only once the merged row no longer holds it.
            try await connection.query("""
                UPDATE profile SET ecommerce_id = \(mergedEcommerceId) WHERE id = \(survivor) AND ecommerce_id IS NULL
                """, logger: logger)
        }
        let newlyKnownBy = try await connection.query("""
            INSERT INTO store_profile (store_id, profile_id) SELECT store_id, \(survivor) FROM store_profile WHERE profile_id = \(merged)
            ON CONFLICT DO NOTHING RETURNING store_id
            """, logger: logger).decode(String.self).gathered()
        try await connection.query("""
            INSERT INTO profile_merge (id, survivor_id, merged_id, identifier_kind, identifier_value, source)
            VALUES (\(mergeId), \(survivor), \(merged), \(kind), \(value), \(source))
            """, logger: logger)
        logger.info("profiles merged", metadata: ["survivor": "\(survivor)", "merged": "\(merged)", "kind": "\(kind)", "source": "\(source)"])
        return MergeOutcome(mergeId: mergeId, survivorId: survivor, mergedId: merged, newlyKnownBy: newlyKnownBy.sorted(),
                            movedLedgerEntries: movedLedger, movedConsents: movedConsents, movedIdentifiers: movedIdentifiers)
    }

    private static func binds(_ first: UUID, _ second: UUID) throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(first)
        binds.append(second)
        return binds
    }
}
