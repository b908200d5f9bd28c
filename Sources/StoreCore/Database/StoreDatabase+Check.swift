import Foundation
import GRDB

extension StoreDatabase {
    /// Checks the file and the books: SQLite's `integrity_check` and `foreign_key_check`; for every profile, that
    /// the ledger agrees with the purchases, refunds and redemptions it was written from (the balance is the sum of
    /// the ledger, so a lost or doubled entry shows here); and that outbox sequences have no gap.
    ///
    /// Runs on one read snapshot, so it is consistent even while tills keep writing.
    public func check() async throws -> ConsistencyReport {
        try await read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            let foreignKeyViolations = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count

            var mismatches: [ConsistencyReport.LedgerMismatch] = []
            func compare(_ reason: LedgerReason, ledgerSign: Int64, recordsSQL: String) throws {
                let ledger = try Self.sums(db, sql: """
                    SELECT profileId, SUM(delta) FROM ledgerEntry WHERE reason = ? GROUP BY profileId
                    """, arguments: [reason.rawValue])
                let records = try Self.sums(db, sql: recordsSQL, arguments: [])
                for profileId in Set(ledger.keys).union(records.keys).sorted() {
                    let ledgerSum = ledger[profileId] ?? 0
                    let recordSum = records[profileId] ?? 0
                    if ledgerSum * ledgerSign != recordSum {
                        mismatches.append(.init(profileId: profileId, reason: reason, ledgerSum: ledgerSum,
                                                recordSum: recordSum, note: nil))
                    }
                }
            }
            try compare(.purchase, ledgerSign: 1, recordsSQL: """
                SELECT profileId, SUM(pointsEarned) FROM purchase WHERE profileId IS NOT NULL AND pointsEarned > 0 GROUP BY profileId
                """)
            try compare(.refund, ledgerSign: -1, recordsSQL: """
                SELECT purchase.profileId, SUM(refund.pointsReversed) FROM refund JOIN purchase ON purchase.id = refund.purchaseId
                WHERE purchase.profileId IS NOT NULL AND refund.pointsReversed > 0 GROUP BY purchase.profileId
                """)
            try compare(.redemption, ledgerSign: -1, recordsSQL: """
                SELECT profileId, SUM(cost) FROM redemption GROUP BY profileId
                """)
            // Expiry entries must never take more than was credited: the written expiry of a profile can be at
            // most what the replay of its credits and debits says has expired by now.
            for profileId in try String.fetchAll(db, sql: "SELECT DISTINCT profileId FROM ledgerEntry WHERE reason = 'expiry'") {
                let written = try Int64.fetchOne(db, sql: """
                    SELECT -SUM(delta) FROM ledgerEntry WHERE profileId = ? AND reason = 'expiry'
                    """, arguments: [profileId]) ?? 0
                let entries = try LedgerEntry
                    .filter(Column("profileId") == profileId && Column("reason") != LedgerReason.expiry.rawValue)
                    .order(Column("at"), Column("rowid")).fetchAll(db)
                let due = PointsLedger.expiredTotal(entries, asOf: Date.distantFuture)
                if written > due {
                    mismatches.append(.init(profileId: profileId, reason: .expiry, ledgerSum: -written, recordSum: -due,
                                            note: "more points written as expired than were ever credited and unspent"))
                }
            }

            let acknowledged = try Int64.fetchOne(db, sql: "SELECT acknowledgedSequence FROM syncState WHERE id = 1") ?? 0
            var gaps = try Row.fetchAll(db, sql: """
                SELECT previous + 1 AS gapFrom, sequence - 1 AS gapTo
                FROM (SELECT sequence, LAG(sequence) OVER (ORDER BY sequence) AS previous FROM outbox)
                WHERE previous IS NOT NULL AND sequence > previous + 1
                """).map { ConsistencyReport.SequenceGap(from: $0["gapFrom"], to: $0["gapTo"]) }
            if let lowest = try Int64.fetchOne(db, sql: "SELECT MIN(sequence) FROM outbox"), lowest > acknowledged + 1 {
                // Rows may be pruned once acknowledged, never before.
                gaps.insert(.init(from: acknowledged + 1, to: lowest - 1), at: 0)
            }

            return ConsistencyReport(
                integrity: integrity,
                foreignKeyViolations: foreignKeyViolations,
                ledgerMismatches: mismatches,
                outboxGaps: gaps,
                profileCount: try Profile.fetchCount(db),
                ledgerEntryCount: try LedgerEntry.fetchCount(db),
                outboxCount: try OutboxEvent.fetchCount(db),
                highestSequence: try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM outbox") ?? 0)
        }
    }

    private static func sums(_ db: Database, sql: String, arguments: StatementArguments) throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            let profileId: String = row[0]
            let sum: Int64 = row[1]
            result[profileId] = sum
        }
        return result
    }
}

extension StoreDatabase {
    /// Copies the WAL into the main file and empties it, so the file alone holds the database (before a copy, or
    /// to check what the file contains).
    public func checkpoint() async throws {
        try await pool.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
    }
}

/// What a store holds, in the terms head office can be checked against.
public struct StoreTotals: Sendable, Hashable {
    public var visits: Int
    public var purchases: Int
    public var ledgerEntries: Int
    public var ledgerSum: Int64
    /// The last outbox sequence issued (acknowledged events may have been pruned).
    public var highestSequence: Int64
    public var acknowledgedSequence: Int64
}

extension StoreDatabase {
    public func totals() async throws -> StoreTotals {
        try await read { db in
            let acknowledged = try Int64.fetchOne(db, sql: "SELECT acknowledgedSequence FROM syncState WHERE id = 1") ?? 0
            return StoreTotals(
                visits: try Int.fetchOne(db, sql: "SELECT count(*) FROM visit") ?? 0,
                purchases: try Int.fetchOne(db, sql: "SELECT count(*) FROM purchase") ?? 0,
                ledgerEntries: try Int.fetchOne(db, sql: "SELECT count(*) FROM ledgerEntry") ?? 0,
                ledgerSum: try Int64.fetchOne(db, sql: "SELECT COALESCE(sum(delta), 0) FROM ledgerEntry") ?? 0,
                highestSequence: max(try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM outbox") ?? 0, acknowledged),
                acknowledgedSequence: acknowledged)
        }
    }
}
