import Foundation
import PostgresNIO
import SyncProtocol

extension HeadOfficeDatabase {
    /// The 360° view of a customer by any of their ids (an alias answers for its survivor), with the latest
    /// `timelineLimit` touchpoints before `before` (all channels, oldest first).
    public func customerView(id requested: UUID, timelineLimit: Int = 1_000, before: Date? = nil) async throws -> CustomerView {
        guard (1...10_000).contains(timelineLimit) else { throw HeadOfficeError(.invalidArgument, "timelineLimit must be from 1 to 10000") }
        return try await read { connection in
            let id = try await IdentityResolver(connection: connection, logger: logger).resolve(requested)
            guard let profile = try await connection.query("""
                SELECT first_name, last_name, email, phone, language, created_at, origin, origin_store_id, ecommerce_id, erased_at IS NOT NULL
                FROM profile WHERE id = \(id)
                """, logger: logger).decode((String?, String?, String?, String?, String?, Date, String, String?, String?, Bool).self)
                .gathered().first else {
                throw HeadOfficeError(.notFound, "head office has no customer \(requested)")
            }
            let identifiers = try await connection.query("""
                SELECT kind, CASE WHEN kind IN ('paymentToken', 'paymentAccountReference') THEN '…' || right(value, 4) ELSE value END,
                       verified, revoked_at IS NOT NULL, first_seen_at, first_store_id
                FROM identifier WHERE profile_id = \(id) ORDER BY first_seen_at, kind
                """, logger: logger).decode((String, String, Bool, Bool, Date, String?).self).gathered().map {
                CustomerView.Identifier(kind: $0.0, maskedValue: $0.1, verified: $0.2, revoked: $0.3, firstSeenAt: $0.4, firstStoreId: $0.5)
            }
            let consents = try await connection.query("""
                SELECT purpose, granted, at, source FROM consent WHERE profile_id = \(id) ORDER BY at DESC, id DESC
                """, logger: logger).decode((String, Bool, Date, String).self).gathered().map {
                CustomerView.Consent(purpose: $0.0, granted: $0.1, at: $0.2, source: $0.3)
            }
            var current: [String: Bool] = [:]
            for consent in consents where current[consent.purpose] == nil { current[consent.purpose] = consent.granted }
            let ledger = try await connection.query("""
                SELECT at, delta, reason, store_id FROM ledger_entry WHERE profile_id = \(id) ORDER BY at, id
                """, logger: logger).decode((Date, Int, String, String?).self).gathered().map {
                CustomerView.LedgerLine(at: $0.0, delta: $0.1, reason: $0.2, storeId: $0.3)
            }
            let redemptions = try await connection.query("""
                SELECT at, reward_id, cost, store_id, overdraft FROM redemption WHERE profile_id = \(id) ORDER BY at, id
                """, logger: logger).decode((Date, String, Int, String, Int?).self).gathered().map {
                CustomerView.Redemption(at: $0.0, rewardId: $0.1, cost: $0.2, storeId: $0.3, overdraft: $0.4)
            }
            let segment = try await connection.query("""
                SELECT segment, r, f, m, churn_risk FROM customer_segment WHERE profile_id = \(id)
                """, logger: logger).decode((String, Int16, Int16, Int16, Bool).self).gathered().first.map {
                CustomerView.Segment(name: $0.0, r: Int($0.1), f: Int($0.2), m: Int($0.3), churnRisk: $0.4)
            }
            let aliases = try await connection.query("""
                SELECT a.alias_id, m.at, m.identifier_kind, m.source FROM profile_alias a JOIN profile_merge m ON m.id = a.merge_id
                WHERE a.survivor_id = \(id) ORDER BY m.at, a.alias_id
                """, logger: logger).decode((UUID, Date, String, String).self).gathered().map {
                CustomerView.Alias(id: $0.0, mergedAt: $0.1, identifierKind: $0.2, source: $0.3)
            }
            let rules = try await connection.query("SELECT rules::text FROM loyalty_rules WHERE id = 1", logger: logger)
                .decode(String.self).gathered().first
                .map { try JSONDecoder().decode(LoyaltyRulesChange.self, from: Data($0.utf8)) }
            let (timeline, truncated) = try await timeline(of: id, limit: timelineLimit, before: before, on: connection)
            return CustomerView(
                id: id, requestedId: requested,
                profile: .init(firstName: profile.0, lastName: profile.1, email: profile.2, phone: profile.3, language: profile.4,
                               createdAt: profile.5, origin: profile.6, originStoreId: profile.7, ecommerceId: profile.8, erased: profile.9),
                identifiers: identifiers, consents: consents, currentConsents: current,
                loyalty: .init(balance: ledger.reduce(0) { $0 + $1.delta },
                               tier: rules.map { CustomerView.Tier(ledger: ledger, rules: $0, asOf: Date()) },
                               ledger: ledger, redemptions: redemptions),
                segment: segment, aliases: aliases, timeline: timeline, timelineTruncated: truncated)
        }
    }

    /// Every touchpoint of the person across channels. Merges moved the aliases' rows to the survivor, so one
    /// profile id finds them all; the aliases' own sign-ups are added from their profiles.
    private func timeline(of id: UUID, limit: Int, before: Date?, on connection: PostgresConnection) async throws
        -> ([CustomerView.Touchpoint], Bool) {
        let until = before ?? Date.distantFuture
        let rows = try await connection.query("""
            WITH t AS (
                SELECT v.at, 'store' AS channel, 'storeVisit' AS kind, v.store_id, v.device_id,
                       'Visit (' || COALESCE(v.identifier_kind, 'unknown') || ')' AS summary
                FROM visit v WHERE v.profile_id = \(id) AND v.at < \(until)
                UNION ALL
                SELECT p.at, 'store', 'purchase', p.store_id, p.till_device_id,
                       'Purchase ' || p.receipt_id || ': ' || to_char(p.amount_minor / 100.0, 'FM999999990.00') || ' ' || p.currency
                       || CASE WHEN p.points_earned <> 0 THEN ', ' || p.points_earned || ' points' ELSE '' END
                FROM purchase p WHERE p.profile_id = \(id) AND p.at < \(until)
                UNION ALL
                SELECT r.at, 'store', 'refund', r.store_id, NULL,
                       'Refund ' || r.refund_receipt_id || ': ' || to_char(r.amount_minor / 100.0, 'FM999999990.00') || ' ' || p.currency
                FROM refund r JOIN purchase p ON p.id = r.purchase_id WHERE p.profile_id = \(id) AND r.at < \(until)
                UNION ALL
                SELECT f.at, 'store', 'feedback', f.store_id, f.kiosk_device_id,
                       'Feedback ' || f.score || '/10' || COALESCE(': “' || f.comment || '”', '')
                FROM feedback f WHERE f.profile_id = \(id) AND f.at < \(until)
                UNION ALL
                SELECT x.at, 'store', 'redemption', x.store_id, x.device_id, 'Redeemed ' || x.reward_id || ' for ' || x.cost || ' points'
                FROM redemption x WHERE x.profile_id = \(id) AND x.at < \(until)
                UNION ALL
                SELECT c.at, CASE WHEN c.source LIKE 'store %' THEN 'store' ELSE 'web' END, 'consent',
                       CASE WHEN c.source LIKE 'store %' THEN substr(c.source, 7) END, NULL,
                       c.purpose || CASE WHEN c.granted THEN ' granted' ELSE ' refused' END
                FROM consent c WHERE c.profile_id = \(id) AND c.at < \(until)
                UNION ALL
                SELECT t.at, CASE WHEN t.kind = 'emailClick' THEN 'email' ELSE 'web' END, t.kind, NULL, NULL,
                       CASE t.kind WHEN 'onlineOrder' THEN 'Online order' || COALESCE(' ' || (t.detail->>'orderId'), '')
                                        || COALESCE(': ' || to_char((t.detail->>'amountMinor')::bigint / 100.0, 'FM999999990.00') || ' ' || (t.detail->>'currency'), '')
                                   WHEN 'emailClick' THEN 'Email click' || COALESCE(' (' || (t.detail->>'campaign') || ')', '')
                                   ELSE 'Web visit' || COALESCE(' ' || (t.detail->>'url'), '') END
                FROM touchpoint t WHERE t.profile_id = \(id) AND t.at < \(until)
                UNION ALL
                SELECT p.created_at, CASE WHEN p.origin = 'store' THEN 'store' ELSE 'web' END, 'signUp', p.origin_store_id, NULL,
                       CASE WHEN p.origin = 'store' THEN 'Signed up' || COALESCE(' at the ' || p.signup_origin, '') ELSE 'Signed up online' END
                       || CASE WHEN p.id <> \(id) THEN ' (a profile since merged)' ELSE '' END
                FROM (SELECT \(id)::uuid AS id UNION ALL SELECT alias_id FROM profile_alias WHERE survivor_id = \(id)) AS own
                JOIN profile p ON p.id = own.id WHERE p.created_at < \(until)
                UNION ALL
                SELECT i.first_seen_at, 'store', CASE WHEN i.kind IN ('loyaltyCard', 'sunTag') THEN 'cardIssue' ELSE 'identifierAdded' END,
                       i.first_store_id, NULL,
                       CASE i.kind WHEN 'loyaltyCard' THEN 'Loyalty card' WHEN 'sunTag' THEN 'Loyalty tag' WHEN 'appDevice' THEN 'Companion app'
                                   WHEN 'paymentToken' THEN 'Bank card' WHEN 'paymentAccountReference' THEN 'Bank account reference'
                                   ELSE i.kind END || ' first seen'
                FROM identifier i WHERE i.profile_id = \(id) AND i.kind NOT IN ('email', 'phone', 'ecommerceId') AND i.first_store_id IS NOT NULL
                  AND i.first_seen_at < \(until)
                UNION ALL
                SELECT m.at, 'store', 'merge', NULL, NULL, 'Merged with another profile on a shared ' || m.identifier_kind || ' (' || m.source || ')'
                FROM profile_merge m WHERE m.survivor_id = \(id) AND m.at < \(until))
            SELECT t.at, t.channel, t.kind, t.store_id, s.name, t.device_id, t.summary FROM t LEFT JOIN store s ON s.id = t.store_id
            ORDER BY t.at DESC, t.kind DESC
            LIMIT \(limit + 1)
            """, logger: logger)
        var touchpoints: [CustomerView.Touchpoint] = []
        for try await (at, channel, kind, storeId, storeName, deviceId, summary) in rows.decode(
            (Date, String, String, String?, String?, String?, String).self) {
            let place = storeName ?? (channel == "store" ? storeId : (channel == "web" ? "web" : nil))
            touchpoints.append(CustomerView.Touchpoint(at: at, channel: channel, kind: kind, place: place, storeId: storeId,
                                                       deviceId: deviceId, summary: summary))
        }
        let truncated = touchpoints.count > limit
        return (Array(touchpoints.prefix(limit).reversed()), truncated)
    }

    /// Live customers matching an email, phone, e-commerce id or profile id (an alias finds its survivor).
    public func searchCustomers(_ query: String) async throws -> [CustomerMatch] {
        let text = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (3...200).contains(text.count) else { throw HeadOfficeError(.invalidArgument, "q must be 3 to 200 characters") }
        let asID = UUID(uuidString: text)
        let phone = text.filter { $0.isNumber || $0 == "+" }
        return try await read { connection in
            try await connection.query("""
                SELECT DISTINCT p.id, p.first_name, p.last_name, p.email, cs.segment
                FROM profile p LEFT JOIN customer_segment cs ON cs.profile_id = p.id
                WHERE p.merged_into IS NULL AND p.erased_at IS NULL AND (
                    lower(p.email) = lower(\(text)) OR p.ecommerce_id = \(text)
                    OR (length(\(phone)) >= 6 AND p.phone = \(phone))
                    OR p.id = resolve_profile(\(asID))
                    OR p.id IN (SELECT profile_id FROM identifier WHERE kind = 'email' AND value = lower(\(text))))
                ORDER BY p.id LIMIT 20
                """, logger: logger).decode((UUID, String?, String?, String?, String?).self).gathered().map {
                CustomerMatch(id: $0.0, firstName: $0.1, lastName: $0.2, email: $0.3, segment: $0.4)
            }
        }
    }
}
