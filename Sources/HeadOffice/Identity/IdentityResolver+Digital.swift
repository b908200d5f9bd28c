import Foundation
import Logging
import PostgresNIO

/// What one digital profile's upsert did, for the feed and the import's summary.
struct DigitalUpsert: Sendable {
    enum Status: String, Sendable { case created, updated, unchanged }

    var profileId: UUID
    var status: Status
    /// Names, email or phone changed on a profile that already existed: stores that know it get the new version.
    var profileChanged: Bool
    var merges: [MergeOutcome]
    var newConsents: [UUID]
    /// "kind:value" of identifiers newly bound (or newly verified) to the profile.
    var newIdentifiers: [String]
    var newTouchpoints: Int
    /// Stores where the profile's identifiers were tapped anonymously before: they now learn whose they were.
    var storesWithVisits: [String]
}

extension IdentityResolver {
    /// Creates or updates the profile of an e-commerce customer, binds its identifiers with the same rules as a
    /// store's `identifier.bound` (a verified shared identifier merges, the oldest profile surviving; an unverified
    /// match never merges), and adds its consents and touchpoints, each under a name-based id so a re-run adds
    /// nothing. Runs under `AdvisoryLock.identity`.
    func upsertDigital(_ input: DigitalProfileInput, source: String, now: Date) async throws -> DigitalUpsert {
        var profileId: UUID
        var status = DigitalUpsert.Status.unchanged
        var profileChanged = false
        if let existing = try await digitalProfile(ecommerceId: input.ecommerceId) {
            profileId = existing
            // A field the shop left out keeps its stored value; only real differences count as a change, so the
            // same file imported twice writes nothing the second time.
            profileChanged = try await connection.query("""
                UPDATE profile SET first_name = COALESCE(\(input.firstName), first_name), last_name = COALESCE(\(input.lastName), last_name),
                                   email = COALESCE(\(input.email), email), phone = COALESCE(\(input.phone), phone),
                                   ecommerce_id = COALESCE(ecommerce_id, \(input.ecommerceId)), updated_at = \(now)
                WHERE id = \(profileId) AND (
                      first_name IS DISTINCT FROM COALESCE(\(input.firstName), first_name)
                   OR last_name IS DISTINCT FROM COALESCE(\(input.lastName), last_name)
                   OR email IS DISTINCT FROM COALESCE(\(input.email), email)
                   OR phone IS DISTINCT FROM COALESCE(\(input.phone), phone))
                RETURNING id
                """, logger: logger).collect().count == 1
            if profileChanged { status = .updated }
        } else {
            profileId = UUID()
            try await connection.query("""
                INSERT INTO profile (id, first_name, last_name, email, phone, created_at, updated_at, origin, ecommerce_id)
                VALUES (\(profileId), \(input.firstName), \(input.lastName), \(input.email), \(input.phone), \(now), \(now),
                        'ecommerce', \(input.ecommerceId))
                """, logger: logger)
            status = .created
        }
        var merges: [MergeOutcome] = []
        var newIdentifiers: [String] = []
        var storesWithVisits: Set<String> = []
        for identifier in input.identifiers {
            let bound = try await bindDigital(kind: identifier.kind, value: identifier.value, verified: identifier.verified,
                                              to: profileId, source: source, now: now)
            if let merge = bound.merge {
                merges.append(merge)
                profileId = merge.survivorId
            }
            if bound.changed { newIdentifiers.append("\(identifier.kind):\(identifier.value)") }
            storesWithVisits.formUnion(bound.visitStores)
        }
        if status == .unchanged, !newIdentifiers.isEmpty || !merges.isEmpty { status = .updated }
        var newConsents: [UUID] = []
        for consent in input.consents {
            let id = DeterministicID.make(ecommerceId: input.ecommerceId, kind: "consent." + consent.purpose.rawValue, at: consent.at)
            newConsents += try await connection.query("""
                INSERT INTO consent (id, profile_id, purpose, granted, at, source)
                VALUES (\(id), \(profileId), \(consent.purpose.rawValue), \(consent.granted), \(consent.at), \(source))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger).decode(UUID.self).gathered()
        }
        if status == .unchanged, !newConsents.isEmpty { status = .updated }
        let touchpoints = try await addTouchpoints(input.touchpoints, ecommerceId: input.ecommerceId, profileId: profileId)
        return DigitalUpsert(profileId: profileId, status: status, profileChanged: profileChanged, merges: merges,
                             newConsents: newConsents, newIdentifiers: newIdentifiers, newTouchpoints: touchpoints,
                             storesWithVisits: storesWithVisits.sorted())
    }

    /// The live profile an e-commerce id belongs to: through its `ecommerceID` identifier, which follows merges,
    /// or the profile row that carries it.
    func digitalProfile(ecommerceId: String) async throws -> UUID? {
        let owner = try await connection.query("""
            SELECT COALESCE(
                (SELECT resolve_profile(profile_id) FROM identifier WHERE kind = 'ecommerceID' AND value = \(ecommerceId) AND profile_id IS NOT NULL),
                (SELECT resolve_profile(id) FROM profile WHERE ecommerce_id = \(ecommerceId)))
            """, logger: logger).decode(UUID?.self).gathered().first ?? nil
        guard let owner else { return nil }
        let live = try await connection.query("SELECT 1 FROM profile WHERE id = \(owner) AND erased_at IS NULL FOR UPDATE", logger: logger)
            .collect().count == 1
        return live ? owner : nil
    }

    /// Touchpoints by name-based id: the same (e-commerce id, kind, time) twice is one touchpoint. Returns how many were new.
    func addTouchpoints(_ touchpoints: [DigitalTouchpoint], ecommerceId: String, profileId: UUID) async throws -> Int {
        var added = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for touchpoint in touchpoints {
            let id = DeterministicID.make(ecommerceId: ecommerceId, kind: "touchpoint." + touchpoint.kind.rawValue, at: touchpoint.at)
            let detail = touchpoint.detail.isEmpty ? nil : String(decoding: try encoder.encode(touchpoint.detail), as: UTF8.self)
            added += try await connection.query("""
                INSERT INTO touchpoint (id, profile_id, kind, at, detail) VALUES (\(id), \(profileId), \(touchpoint.kind.rawValue), \(touchpoint.at), \(detail)::jsonb)
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger).collect().count
        }
        return added
    }

    /// `record`'s rules for an identifier the e-commerce side vouches for: a free identifier is bound, one already
    /// this profile's is kept (and marked verified when it now is), one owned by somebody else merges the two only
    /// when both sides verified it.
    private func bindDigital(kind: String, value: String, verified claimed: Bool, to profileId: UUID, source: String,
                             now: Date) async throws -> (merge: MergeOutcome?, changed: Bool, visitStores: [String]) {
        let verified = Self.isVerified(kind: kind, flag: claimed)
        let existing = try await connection.query("""
            SELECT profile_id, verified FROM identifier WHERE kind = \(kind) AND value = \(value) FOR UPDATE
            """, logger: logger).decode((UUID?, Bool).self).gathered().first
        guard let (owner, ownerVerified) = existing else {
            try await connection.query("""
                INSERT INTO identifier (kind, value, profile_id, verified, first_seen_at) VALUES (\(kind), \(value), \(profileId), \(verified), \(now))
                """, logger: logger)
            return (nil, true, [])
        }
        guard let owner else {
            try await connection.query("""
                UPDATE identifier SET profile_id = \(profileId), verified = \(verified) WHERE kind = \(kind) AND value = \(value)
                """, logger: logger)
            return (nil, true, try await attributeAnonymousVisitsToDigital(kind: kind, value: value, to: profileId))
        }
        let currentOwner = try await resolve(owner)
        if currentOwner == profileId {
            guard verified && !ownerVerified else { return (nil, false, []) }
            try await connection.query("UPDATE identifier SET verified = true WHERE kind = \(kind) AND value = \(value)", logger: logger)
            return (nil, true, [])
        }
        guard verified && ownerVerified else {
            // Never merge on an unverified match: the identifier stays with its first owner, and people decide.
            logger.notice("unverified shared identifier not merged", metadata: [
                "kind": "\(kind)", "owner": "\(currentOwner)", "claimant": "\(profileId)", "source": "\(source)",
            ])
            return (nil, false, [])
        }
        return (try await merge(currentOwner, profileId, kind: kind, value: value, source: source), false, [])
    }

    /// Visits made with the identifier before anyone owned it join the new owner, as `record` does; returns the
    /// stores they were made in, which from now on know the profile.
    private func attributeAnonymousVisitsToDigital(kind: String, value: String, to profileId: UUID) async throws -> [String] {
        try await connection.query("""
            WITH attributed AS (
                UPDATE visit SET profile_id = \(profileId)
                WHERE profile_id IS NULL AND identifier_id IN (SELECT id FROM store_identifier WHERE kind = \(kind) AND value = \(value))
                RETURNING store_id)
            SELECT DISTINCT store_id FROM attributed
            """, logger: logger).decode(String.self).gathered()
    }
}
