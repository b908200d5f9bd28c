import Foundation
import GRDB
@testable import StoreCore

/// A store database exactly as the previous release left it: its migrations only (all but the last), and rows
/// written with that schema's SQL, as its code wrote them. Nothing of the current code touches it.
enum PreviousRelease {
    static var lastMigration: String { StoreMigrations.names.dropLast().last! }

    static let profileId = "019b7a00-0000-7000-8000-000000000001"
    static let cardUID = "04AABBCCDDEE11"
    static let kioskToken = "previous-release-kiosk-token-0123456789abcdef"
    /// Sign-up bonus 50 + purchase 25 − redemption 60.
    static let balance: Int64 = 15

    /// Rows per table after `makeDatabase`, to compare with after the upgrade.
    static let tables = ["syncState", "profile", "identifier", "visit", "purchase", "ledgerEntry", "reward", "redemption",
                         "feedback", "consent", "device", "outbox"]

    static func makeDatabase(at path: String, storeId: String) throws {
        let queue = try DatabaseQueue(path: path)
        try StoreMigrations.migrator.migrate(queue, upTo: lastMigration)
        let tokenHash = DeviceToken.hash(kioskToken)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO syncState (id, storeId, acknowledgedSequence, inboundCursor, updatedAt, rewardsFromHeadOffice,
                                       loyaltyRulesFromHeadOffice, redemptionAllowance, headOfficeAnsweredAt)
                VALUES (1, :store, 3, 'p12', '2026-01-02 10:00:00.000', 0, NULL, 0, '2026-01-02 10:00:00.000');
                INSERT INTO profile (id, firstName, lastName, email, phone, language, tier, createdAt, updatedAt, origin, erasedAt, mergedInto)
                VALUES (:profile, 'Marie', 'Curie', 'marie@example.com', '+33612345678', 'fr', 'Bronze',
                        '2026-01-01 09:00:00.000', '2026-01-01 09:00:00.000', 'kiosk', NULL, NULL);
                INSERT INTO identifier (id, kind, value, profileId, publicKey, verified, sunCounter, createdAt) VALUES
                    ('019b7a00-0000-7000-8000-000000000011', 'email', 'marie@example.com', :profile, NULL, 1, NULL, '2026-01-01 09:00:00.000'),
                    ('019b7a00-0000-7000-8000-000000000012', 'cardUID', :card, :profile, NULL, 0, NULL, '2026-01-01 09:00:00.000');
                INSERT INTO visit (id, storeId, deviceId, reader, identifierId, profileId, at)
                VALUES ('019b7a00-0000-7000-8000-000000000021', :store, 'kiosk-old', 'ACS ACR122U 00 00',
                        '019b7a00-0000-7000-8000-000000000012', :profile, '2026-01-02 09:30:00.000');
                INSERT INTO purchase (id, storeId, tillDeviceId, receiptId, amountMinor, currency, lines, profileId, pointsEarned, at)
                VALUES ('019b7a00-0000-7000-8000-000000000031', :store, 'till-old', 'R-OLD-1', 2500, 'EUR', NULL, :profile, 25,
                        '2026-01-02 09:35:00.000');
                INSERT INTO reward (id, name, cost, active) VALUES ('old-mug', 'Mug (discontinued)', 60, 1);
                INSERT INTO redemption (id, storeId, profileId, rewardId, cost, deviceId, at)
                VALUES ('019b7a00-0000-7000-8000-000000000041', :store, :profile, 'old-mug', 60, 'till-old', '2026-01-02 09:40:00.000');
                INSERT INTO ledgerEntry (id, profileId, delta, reason, reference, at, expiresAt) VALUES
                    ('019b7a00-0000-7000-8000-000000000051', :profile, 50, 'signUpBonus', NULL, '2026-01-01 09:00:00.000', NULL),
                    ('019b7a00-0000-7000-8000-000000000052', :profile, 25, 'purchase', '019b7a00-0000-7000-8000-000000000031',
                     '2026-01-02 09:35:00.000', NULL),
                    ('019b7a00-0000-7000-8000-000000000053', :profile, -60, 'redemption', '019b7a00-0000-7000-8000-000000000041',
                     '2026-01-02 09:40:00.000', NULL);
                INSERT INTO feedback (id, storeId, score, comment, language, kioskDeviceId, profileId, at)
                VALUES ('019b7a00-0000-7000-8000-000000000061', :store, 9, 'Très bon accueil', 'fr', 'kiosk-old', :profile, '2026-01-02 09:31:00.000');
                INSERT INTO consent (id, profileId, purpose, granted, at, source)
                VALUES ('019b7a00-0000-7000-8000-000000000071', :profile, 'marketingEmail', 1, '2026-01-01 09:00:00.000', 'kiosk');
                INSERT INTO device (id, kind, name, tokenHash, boundReader, createdAt, revokedAt)
                VALUES ('kiosk-old', 'kiosk', 'Kiosk entrance', :tokenHash, 'ACS ACR122U 00 00', '2026-01-01 08:00:00.000', NULL);
                INSERT INTO outbox (id, storeId, sequence, type, schemaVersion, payload, createdAt) VALUES
                    ('019b7a00-0000-7000-8000-000000000081', :store, 4, 'purchase.recorded', 1, '{"receiptId":"R-OLD-1"}', '2026-01-02 09:35:00.000'),
                    ('019b7a00-0000-7000-8000-000000000082', :store, 5, 'redemption.recorded', 1, '{"rewardId":"old-mug"}', '2026-01-02 09:40:00.000'),
                    ('019b7a00-0000-7000-8000-000000000083', :store, 6, 'feedback.recorded', 1, '{"score":9}', '2026-01-02 09:41:00.000');
                """, arguments: ["store": storeId, "profile": profileId, "card": cardUID, "tokenHash": tokenHash])
        }
        try queue.close()
    }

    static func rowCounts(_ path: String) throws -> [String: Int] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var counts: [String: Int] = [:]
            for table in tables { counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") }
            return counts
        }
    }

    static func appliedMigrations(_ path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
    }
}
