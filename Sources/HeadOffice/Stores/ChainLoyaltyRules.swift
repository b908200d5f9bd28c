import Foundation
import Logging
import PostgresNIO
import SyncProtocol

extension HeadOfficeDatabase {
    /// Validates the chain's earning rules (a `config/loyalty.json` without `rewards`), keeps them, and sends them
    /// whole to every store; from the first one a store earns by head office's rules instead of its local file.
    @discardableResult
    public func setLoyaltyRules(json: Data) async throws -> LoyaltyRulesChange {
        let rules = try LoyaltyRulesFile.parse(json)
        let body = String(decoding: try JSONEncoder().encode(rules), as: UTF8.self)
        try await transaction { connection in
            try await connection.query("""
                INSERT INTO loyalty_rules (id, rules, updated_at) VALUES (1, \(body)::jsonb, now())
                ON CONFLICT (id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at
                """, logger: logger)
            try await AdvisoryLock.feed.take(on: connection, logger: logger)
            try await connection.query("""
                INSERT INTO change (store_id, kind, body) SELECT NULL, 'loyaltyRules', rules FROM loyalty_rules WHERE id = 1
                """, logger: logger)
        }
        return rules
    }

    /// The chain's earning rules, or nil while every store still uses its own file.
    public func loyaltyRules() async throws -> (rules: LoyaltyRulesChange, updatedAt: Date)? {
        try await read { connection in
            guard let row = try await connection.query("SELECT rules::text, updated_at FROM loyalty_rules WHERE id = 1", logger: logger)
                .decode((String, Date).self).gathered().first else { return nil }
            return (try JSONDecoder().decode(LoyaltyRulesChange.self, from: Data(row.0.utf8)), row.1)
        }
    }
}
