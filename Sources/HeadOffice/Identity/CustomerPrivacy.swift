import Foundation
import Logging
import PostgresNIO

/// GDPR at head office: erasure, export and consent, each reaching every store that knew the person.
extension HeadOfficeDatabase {
    /// Erases a person (by any of their ids, alias or survivor) here, and through the feed at every store that
    /// knew them. Returns false when there was nobody left to erase.
    @discardableResult
    public func eraseCustomer(id: UUID, source: String) async throws -> Bool {
        try await transaction { connection in
            try await AdvisoryLock.identity.take(on: connection, logger: logger)
            let resolver = IdentityResolver(connection: connection, logger: logger)
            guard let erased = try await resolver.erase(profileId: id, source: source) else { return false }
            try await AdvisoryLock.feed.take(on: connection, logger: logger)
            try await ChangeFeedWriter(connection: connection, logger: logger).announceErasure(of: erased)
            return true
        }
    }

    /// Records a consent answer given to head office (a web form, a call to customer service) and sends it to the
    /// stores that know the person.
    public func setConsent(profileId: UUID, purpose: String, granted: Bool, source: String, at: Date = Date()) async throws {
        guard ["marketingEmail", "marketingSMS", "profiling"].contains(purpose) else {
            throw HeadOfficeError(.invalidArgument, "purpose must be marketingEmail, marketingSMS or profiling, got '\(purpose.prefix(40))'")
        }
        try await transaction { connection in
            let survivor = try await IdentityResolver(connection: connection, logger: logger).resolve(profileId)
            guard let erased = try await connection.query("SELECT erased_at FROM profile WHERE id = \(survivor)", logger: logger)
                .decode(Date?.self).gathered().first else {
                throw HeadOfficeError(.notFound, "no customer \(profileId)")
            }
            guard erased == nil else { throw HeadOfficeError(.conflict, "customer \(profileId) was erased") }
            let id = UUID()
            try await connection.query("""
                INSERT INTO consent (id, profile_id, purpose, granted, at, source)
                VALUES (\(id), \(survivor), \(purpose), \(granted), \(at), \(source))
                """, logger: logger)
            try await AdvisoryLock.feed.take(on: connection, logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO change (store_id, kind, body)
                SELECT sp.store_id, 'consent', jsonb_build_object('id', c.id, 'profileId', c.profile_id, 'purpose', c.purpose,
                       'granted', c.granted, 'at', \(ChangeFeedWriter.format("c.at")))
                FROM consent c JOIN store_profile sp ON sp.profile_id = c.profile_id WHERE c.id = $1 ORDER BY sp.store_id
                """, binds: { var b = PostgresBindings(); b.append(id); return b }()), logger: logger)
        }
    }

    /// Everything head office holds about a person, as one JSON document (GDPR art. 15 and 20). An alias id
    /// answers for its survivor.
    public func exportCustomer(id: UUID) async throws -> String {
        try await read { connection in
            let survivor = try await IdentityResolver(connection: connection, logger: logger).resolve(id)
            let text = try await connection.query(PostgresQuery(unsafeSQL: Self.exportSQL, binds: { var b = PostgresBindings(); b.append(survivor); return b }()),
                                                  logger: logger).decode(String?.self).gathered().first ?? nil
            guard let text else { throw HeadOfficeError(.notFound, "no customer \(id)") }
            return text
        }
    }

    private static let exportSQL = """
        SELECT jsonb_pretty(jsonb_build_object(
            'profile', to_jsonb(p) - 'merged_into',
            'aliases', COALESCE((SELECT jsonb_agg(alias_id ORDER BY alias_id) FROM profile_alias WHERE survivor_id = p.id), '[]'),
            'merges', COALESCE((SELECT jsonb_agg(to_jsonb(m) ORDER BY m.at) FROM profile_merge m WHERE m.survivor_id = p.id), '[]'),
            'identifiers', COALESCE((SELECT jsonb_agg(jsonb_build_object('kind', kind, 'value', value, 'verified', verified,
                                     'firstSeenAt', first_seen_at, 'firstStore', first_store_id) ORDER BY first_seen_at)
                                     FROM identifier WHERE profile_id = p.id), '[]'),
            'consents', COALESCE((SELECT jsonb_agg(to_jsonb(c) - 'profile_id' ORDER BY c.at) FROM consent c WHERE c.profile_id = p.id), '[]'),
            'visits', COALESCE((SELECT jsonb_agg(to_jsonb(v) - 'profile_id' ORDER BY v.at) FROM visit v WHERE v.profile_id = p.id), '[]'),
            'purchases', COALESCE((SELECT jsonb_agg(to_jsonb(x) - 'profile_id' ORDER BY x.at) FROM purchase x WHERE x.profile_id = p.id), '[]'),
            'ledger', COALESCE((SELECT jsonb_agg(to_jsonb(l) - 'profile_id' ORDER BY l.at) FROM ledger_entry l WHERE l.profile_id = p.id), '[]'),
            'balance', COALESCE((SELECT sum(delta) FROM ledger_entry WHERE profile_id = p.id), 0),
            'redemptions', COALESCE((SELECT jsonb_agg(to_jsonb(r) - 'profile_id' ORDER BY r.at) FROM redemption r WHERE r.profile_id = p.id), '[]'),
            'feedback', COALESCE((SELECT jsonb_agg(to_jsonb(f) - 'profile_id' ORDER BY f.at) FROM feedback f WHERE f.profile_id = p.id), '[]'),
            'touchpoints', COALESCE((SELECT jsonb_agg(to_jsonb(t) - 'profile_id' ORDER BY t.at) FROM touchpoint t WHERE t.profile_id = p.id), '[]'),
            'storesThatKnowThem', COALESCE((SELECT jsonb_agg(store_id ORDER BY store_id) FROM store_profile WHERE profile_id = p.id), '[]')
        ))
        FROM profile p WHERE p.id = $1
        """
}
