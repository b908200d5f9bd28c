import Foundation
import Logging
import PostgresNIO

/// Applies a contiguous run of one store's stored events, (after, through], to head office's tables, then fans the
/// resulting changes out to the other stores that know the profiles involved.
///
/// Facts (visits, purchases, ledger…) are applied with one set-based statement per type, which is what keeps
/// ingest near PostgreSQL's own COPY speed. Identity (identifiers, merges, erasure) is applied event by event in
/// sequence order, because each decision depends on the one before. Every profile id a store sends is resolved
/// through `resolve_profile`, so events that arrive late for a merged profile land on its survivor.
struct Projection {
    let connection: PostgresConnection
    let storeId: String
    let after: Int64
    let through: Int64
    let logger: Logger

    func apply() async throws {
        try await profilesCreated()
        try await identifiersSeen()
        let identity = try await identityEvents()
        let visitedBy = try await facts()
        try await flagOverdrafts()
        let touched = try await touchedProfiles(visitedBy: visitedBy)
        // A run that touched no known person (anonymous taps and sales) changes nothing any store must learn, and
        // leaves the feed lock to others: stores selling to strangers do not queue behind each other.
        guard !touched.isEmpty || !identity.merges.isEmpty || !identity.erased.isEmpty else { return }
        // The feed lock is taken last and held to commit: positions become visible in the order they were taken.
        try await AdvisoryLock.feed.take(on: connection, logger: logger)
        let writer = ChangeFeedWriter(connection: connection, logger: logger)
        for merge in identity.merges {
            for store in merge.newlyKnownBy {
                try await writer.backfill(profileId: merge.survivorId, toStore: store)
            }
            try await writer.announce(merge)
        }
        try await markSeenAndBackfill(touched)
        try await fanOut()
        for profileId in identity.erased {
            try await writer.announceErasure(of: profileId)
        }
    }

    /// Identifiers first seen at a tap, all at once: inserting an unowned identifier commutes with every binding,
    /// so doing these before the run's bindings gives the same result as doing them in sequence order.
    private func identifiersSeen() async throws {
        try await connection.query("""
            WITH seen AS (
                SELECT (payload->>'id')::uuid AS id, payload->>'kind' AS kind, payload->>'value' AS value,
                       COALESCE((payload->>'verified')::boolean, false) AS verified, created_at
                FROM store_event
                WHERE store_id = \(storeId) AND sequence > \(after) AND sequence <= \(through) AND type = 'identifier.seen'),
            mapped AS (
                INSERT INTO store_identifier (id, store_id, kind, value) SELECT id, \(storeId), kind, value FROM seen
                ON CONFLICT (id) DO NOTHING)
            INSERT INTO identifier (kind, value, profile_id, verified, first_seen_at, first_store_id)
            SELECT DISTINCT ON (kind, value) kind, value, NULL::uuid,
                   verified OR kind = ANY(\(IdentityResolver.possessionKinds.sorted())::text[]),
                   created_at, \(storeId)
            FROM seen ORDER BY kind, value, created_at
            ON CONFLICT (kind, value) DO NOTHING
            """, logger: logger)
    }

    private func profilesCreated() async throws {
        try await connection.query("""
            WITH created AS (
                INSERT INTO profile (id, first_name, last_name, email, phone, language, created_at, updated_at, origin, origin_store_id)
                SELECT (p->>'id')::uuid, p->>'firstName', p->>'lastName', p->>'email', p->>'phone', p->>'language',
                       (p->>'createdAt')::timestamptz, (p->>'updatedAt')::timestamptz, 'store', \(storeId)
                FROM (SELECT payload AS p FROM store_event
                      WHERE store_id = \(storeId) AND sequence > \(after) AND sequence <= \(through) AND type = 'profile.created') AS e
                ON CONFLICT (id) DO NOTHING
                RETURNING id)
            INSERT INTO store_profile (store_id, profile_id) SELECT \(storeId), id FROM created ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    private func identityEvents() async throws -> (merges: [MergeOutcome], erased: [UUID]) {
        let rows = try await connection.query("""
            SELECT type, payload::text FROM store_event
            WHERE store_id = \(storeId) AND sequence > \(after) AND sequence <= \(through)
              AND type IN ('identifier.bound', 'profile.erased')
            ORDER BY sequence
            """, logger: logger).decode((String, String).self).gathered()
        guard !rows.isEmpty else { return ([], []) }
        try await AdvisoryLock.identity.take(on: connection, logger: logger)
        let resolver = IdentityResolver(connection: connection, logger: logger)
        var merges: [MergeOutcome] = []
        var erased: [UUID] = []
        let decoder = JSONDecoder()
        for (type, payload) in rows {
            switch type {
            case "profile.erased":
                let event = try decoder.decode(ErasedPayload.self, from: Data(payload.utf8))
                if let survivor = try await resolver.erase(profileId: event.profileId, source: "store \(storeId)") {
                    erased.append(survivor)
                }
            default:
                let event = try decoder.decode(IdentifierPayload.self, from: Data(payload.utf8))
                merges += try await resolver.record(event, fromStore: storeId)
            }
        }
        return (merges, erased)
    }

    /// One statement per fact type. Profile ids resolve to survivors; an anonymous visit is attributed through the
    /// identifier it was made with, when head office knows whose that is. Whether the store itself knew the person
    /// at the tap is kept (`identified_at_tap`): the reports' identified share and sign-up conversion.
    private func facts() async throws -> [UUID] {
        let visitedBy = try await connection.query("""
            INSERT INTO visit (id, store_id, device_id, identifier_id, identified_at_tap, profile_id, at)
            SELECT (p->>'id')::uuid, p->>'storeId', p->>'deviceId', (p->>'identifierId')::uuid, p->>'profileId' IS NOT NULL,
                   COALESCE(resolve_profile((p->>'profileId')::uuid),
                            (SELECT i.profile_id FROM store_identifier si JOIN identifier i ON i.kind = si.kind AND i.value = si.value
                             WHERE si.id = (p->>'identifierId')::uuid AND i.revoked_at IS NULL)),
                   (p->>'at')::timestamptz
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = \(storeId) AND sequence > \(after) AND sequence <= \(through) AND type = 'visit.recorded') AS e
            ON CONFLICT (id) DO NOTHING
            RETURNING profile_id
            """, logger: logger).decode(UUID?.self).gathered().compactMap { $0 }
        try await connection.query("""
            INSERT INTO purchase (id, store_id, till_device_id, receipt_id, amount_minor, currency, lines, profile_id, points_earned, at)
            SELECT (p->>'id')::uuid, p->>'storeId', p->>'tillDeviceId', p->>'receiptId', (p->>'amountMinor')::bigint,
                   p->>'currency', p->'lines', resolve_profile((p->>'profileId')::uuid), COALESCE((p->>'pointsEarned')::bigint, 0),
                   (p->>'at')::timestamptz
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = \(storeId) AND sequence > \(after) AND sequence <= \(through) AND type = 'purchase.recorded') AS e
            ON CONFLICT DO NOTHING
            """, logger: logger)
        try await connection.query("""
            INSERT INTO refund (id, store_id, purchase_id, refund_receipt_id, amount_minor, points_reversed, at)
            SELECT (p->>'id')::uuid, p->>'storeId', (p->>'purchaseId')::uuid, p->>'refundReceiptId', (p->>'amountMinor')::bigint,
                   COALESCE((p->>'pointsReversed')::bigint, 0), (p->>'at')::timestamptz
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = \(storeId) AND sequence > \(after) AND sequence <= \(through) AND type = 'refund.recorded') AS e
            ON CONFLICT DO NOTHING
            """, logger: logger)
        try await connection.query("""
            INSERT INTO ledger_entry (id, profile_id, store_id, delta, reason, reference, at, expires_at)
            SELECT (p->>'id')::uuid, resolve_profile((p->>'profileId')::uuid), \(storeId), (p->>'delta')::bigint, p->>'reason',
                   p->>'reference', (p->>'at')::timestamptz, (p->>'expiresAt')::timestamptz
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = \(storeId) AND sequence > \(after) AND sequence <= \(through) AND type = 'ledger.entry') AS e
            WHERE EXISTS (SELECT 1 FROM profile WHERE id = resolve_profile((p->>'profileId')::uuid))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        try await connection.query("""
            INSERT INTO consent (id, profile_id, purpose, granted, at, source)
            SELECT (p->>'id')::uuid, resolve_profile((p->>'profileId')::uuid), p->>'purpose', (p->>'granted')::boolean,
                   (p->>'at')::timestamptz, 'store ' || \(storeId)
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = \(storeId) AND sequence > \(after) AND sequence <= \(through) AND type = 'consent.changed') AS e
            WHERE EXISTS (SELECT 1 FROM profile WHERE id = resolve_profile((p->>'profileId')::uuid))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        try await connection.query("""
            INSERT INTO feedback (id, store_id, score, comment, language, kiosk_device_id, profile_id, at)
            SELECT (p->>'id')::uuid, p->>'storeId', (p->>'score')::integer, p->>'comment', p->>'language', p->>'kioskDeviceId',
                   resolve_profile((p->>'profileId')::uuid), (p->>'at')::timestamptz
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = \(storeId) AND sequence > \(after) AND sequence <= \(through) AND type = 'feedback.recorded') AS e
            ON CONFLICT DO NOTHING
            """, logger: logger)
        try await connection.query("""
            INSERT INTO redemption (id, store_id, profile_id, reward_id, cost, device_id, at)
            SELECT (p->>'id')::uuid, p->>'storeId', resolve_profile((p->>'profileId')::uuid), p->>'rewardId', (p->>'cost')::bigint,
                   p->>'deviceId', (p->>'at')::timestamptz
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = \(storeId) AND sequence > \(after) AND sequence <= \(through) AND type = 'redemption.recorded') AS e
            WHERE EXISTS (SELECT 1 FROM profile WHERE id = resolve_profile((p->>'profileId')::uuid))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        return visitedBy
    }

    /// Head office's balance is the authority. A store redeems against its own copy, which can be behind when two
    /// stores spend the same points offline: a redemption that leaves the chain balance below minus the store's
    /// allowance (counting every entry up to it) is flagged with the overdraft, for people to settle.
    private func flagOverdrafts() async throws {
        try await connection.query("""
            UPDATE redemption r SET overdraft = -balance.total
            FROM (SELECT r2.id, (SELECT COALESCE(sum(delta), 0) FROM ledger_entry l WHERE l.profile_id = r2.profile_id AND l.at <= r2.at) AS total
                  FROM redemption r2 JOIN store_event e ON r2.id = (e.payload->>'id')::uuid
                  WHERE e.store_id = \(storeId) AND e.sequence > \(after) AND e.sequence <= \(through) AND e.type = 'redemption.recorded') AS balance
            WHERE r.id = balance.id AND balance.total < -(SELECT redemption_allowance FROM store WHERE id = \(storeId))
            """, logger: logger)
    }

    /// Every profile this run of events touched is now known to the store; those it did not know before get their
    /// profile, identifiers, other stores' ledger entries and consents through the feed.
    /// The live profiles this run of events is about: named in a payload, or the owner of a visit's identifier.
    private func touchedProfiles(visitedBy: [UUID]) async throws -> [UUID] {
        let visited = visitedBy.map { $0.uuidString.lowercased() }
        return try await connection.query("""
            SELECT p.id FROM profile p WHERE p.erased_at IS NULL AND p.id IN (
                SELECT resolve_profile((payload->>'profileId')::uuid) FROM store_event
                WHERE store_id = \(storeId) AND sequence > \(after) AND sequence <= \(through) AND payload->>'profileId' IS NOT NULL
                UNION SELECT unnest(\(visited)::text[])::uuid)
            ORDER BY p.id
            """, logger: logger).decode(UUID.self).gathered()
    }

    private func markSeenAndBackfill(_ touched: [UUID]) async throws {
        let ids = touched.map { $0.uuidString.lowercased() }
        let newlySeen = try await connection.query("""
            INSERT INTO store_profile (store_id, profile_id) SELECT \(storeId), unnest(\(ids)::text[])::uuid
            ON CONFLICT DO NOTHING
            RETURNING profile_id
            """, logger: logger).decode(UUID.self).gathered()
        let writer = ChangeFeedWriter(connection: connection, logger: logger)
        for profileId in newlySeen {
            try await writer.backfill(profileId: profileId, toStore: storeId)
        }
    }

    /// The store's new ledger entries, consents and identifier bindings go to every other store that knows the
    /// profile, so points earned here are spendable there after their next pull.
    private func fanOut() async throws {
        try await connection.query("""
            INSERT INTO change (store_id, kind, body)
            SELECT sp.store_id, 'ledgerEntry', jsonb_build_object('id', l.id, 'profileId', l.profile_id, 'delta', l.delta,
                   'reason', l.reason, 'reference', l.reference, 'at', e.payload->>'at', 'expiresAt', e.payload->>'expiresAt')
            FROM store_event e JOIN ledger_entry l ON l.id = (e.payload->>'id')::uuid
            JOIN store_profile sp ON sp.profile_id = l.profile_id AND sp.store_id <> \(storeId)
            WHERE e.store_id = \(storeId) AND e.sequence > \(after) AND e.sequence <= \(through) AND e.type = 'ledger.entry'
            ORDER BY e.sequence, sp.store_id
            """, logger: logger)
        try await connection.query("""
            INSERT INTO change (store_id, kind, body)
            SELECT sp.store_id, 'consent', jsonb_build_object('id', c.id, 'profileId', c.profile_id, 'purpose', c.purpose,
                   'granted', c.granted, 'at', e.payload->>'at')
            FROM store_event e JOIN consent c ON c.id = (e.payload->>'id')::uuid
            JOIN store_profile sp ON sp.profile_id = c.profile_id AND sp.store_id <> \(storeId)
            WHERE e.store_id = \(storeId) AND e.sequence > \(after) AND e.sequence <= \(through) AND e.type = 'consent.changed'
            ORDER BY e.sequence, sp.store_id
            """, logger: logger)
        try await connection.query("""
            INSERT INTO change (store_id, kind, body)
            SELECT sp.store_id, 'identifier', jsonb_build_object('kind', i.kind, 'value', i.value, 'profileId', i.profile_id,
                   'verified', i.verified, 'publicKey', i.public_key, 'revoked', i.revoked_at IS NOT NULL)
            FROM store_event e JOIN identifier i ON i.kind = e.payload->>'kind' AND i.value = e.payload->>'value'
            JOIN store_profile sp ON sp.profile_id = i.profile_id AND sp.store_id <> \(storeId)
            WHERE e.store_id = \(storeId) AND e.sequence > \(after) AND e.sequence <= \(through) AND e.type = 'identifier.bound'
            ORDER BY e.sequence, sp.store_id
            """, logger: logger)
    }
}

struct ErasedPayload: Decodable {
    var profileId: UUID
}

struct IdentifierPayload: Decodable {
    var id: UUID
    var kind: String
    var value: String
    var profileId: UUID?
    var publicKey: String?
    var verified: Bool?
    var createdAt: String?
}
