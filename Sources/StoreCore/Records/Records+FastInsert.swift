import Foundation
import GRDB

// The rows every tap and sale writes, inserted through cached statements with their arguments built by hand.
// GRDB's generic `insert` encodes the record through `Codable` and rebuilds its INSERT on each call, which cost
// more than the SQLite work itself on these paths. The column lists mirror migration "v1"; the tests write and
// read back every field through these.

extension OutboxEvent {
    func insertRow(_ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO outbox (id, storeId, sequence, type, schemaVersion, payload, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, storeId, sequence, type.rawValue, schemaVersion, payload, StoreDate.text(createdAt)])
    }
}

extension Visit {
    func insertRow(_ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO visit (id, storeId, deviceId, reader, identifierId, profileId, at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, storeId, deviceId, reader, identifierId, profileId, StoreDate.text(at)])
    }
}

extension LedgerEntry {
    func insertRow(_ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO ledgerEntry (id, profileId, delta, reason, reference, at, expiresAt) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, profileId, delta, reason.rawValue, reference, StoreDate.text(at),
                                     expiresAt.map(StoreDate.text)])
    }
}

extension Identifier {
    func insertRow(_ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO identifier (id, kind, value, profileId, publicKey, verified, sunCounter, createdAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, kind.rawValue, value, profileId, publicKey, verified, sunCounter, StoreDate.text(createdAt)])
    }
}

extension Purchase {
    func insertRow(_ db: Database) throws {
        let linesJSON = try lines.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try db.cachedStatement(sql: """
            INSERT INTO purchase (id, storeId, tillDeviceId, receiptId, amountMinor, currency, lines, profileId, pointsEarned, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, storeId, tillDeviceId, receiptId, amountMinor, currency, linesJSON, profileId,
                                     pointsEarned, StoreDate.text(at)])
    }
}

extension Feedback {
    func insertRow(_ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO feedback (id, storeId, score, comment, language, kioskDeviceId, profileId, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, storeId, score, comment, language, kioskDeviceId, profileId, StoreDate.text(at)])
    }
}
