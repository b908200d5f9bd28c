import Foundation
import GRDB

/// Reads and appends the points ledger of one profile. The balance is always `SUM(delta)`: nothing else stores it.
///
/// Expiry is written into the ledger as `expiry` entries, lazily: every write that looks at a balance first calls
/// ``materializeExpiry(_:profileId:asOf:storeId:)`` in its own transaction, and the read-only
/// ``balance(_:profileId:asOf:)`` subtracts what that call would write. Which points expire follows one rule:
/// every debit (redemption, refund, negative adjustment) consumes the points that expire soonest, and points
/// without an expiry last; a debit larger than what is left leaves a debt that later credits repay first.
enum PointsLedger {
    static func ledgerSum(_ db: Database, profileId: String) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(SUM(delta), 0) FROM ledgerEntry WHERE profileId = ?"),
                           arguments: [profileId]) ?? 0
    }

    /// The balance as of `asOf`, counting expiry that is due but not yet written.
    static func balance(_ db: Database, profileId: String, asOf: Date) throws -> Int64 {
        try ledgerSum(db, profileId: profileId) - pendingExpiry(db, profileId: profileId, asOf: asOf)
    }

    /// Everything a greeting needs from the ledger, in one pass over the profile's entries.
    struct Summary {
        /// `SUM(delta)`: the balance once due expiry is written.
        var sum: Int64
        /// Credits whose expiry date has passed (spent or not).
        var due: Int64
        /// Points already written as expired.
        var written: Int64
        /// Earned over the tier window.
        var tierPoints: Int64
        var lastVisitBonus: Date?
    }

    static func summary(_ db: Database, profileId: String, asOf: Date, tierMonths: Int) throws -> Summary {
        let now = StoreDate.text(asOf)
        let windowStart = StoreDate.text(StoreCalendar.adding(months: -tierMonths, to: asOf))
        guard let row = try Row.fetchOne(db.cachedStatement(sql: summarySQL), arguments: [now, windowStart, now, profileId]) else {
            return Summary(sum: 0, due: 0, written: 0, tierPoints: 0, lastVisitBonus: nil)
        }
        return Summary(sum: row[0] ?? 0, due: row[1] ?? 0, written: row[2] ?? 0, tierPoints: max(0, row[3] ?? 0),
                       lastVisitBonus: row[4])
    }

    private static let summarySQL = """
        SELECT COALESCE(SUM(delta), 0),
               COALESCE(SUM(CASE WHEN delta > 0 AND expiresAt IS NOT NULL AND expiresAt <= ?1 THEN delta END), 0),
               COALESCE(-SUM(CASE WHEN reason = 'expiry' THEN delta END), 0),
               COALESCE(SUM(CASE WHEN reason IN (\(LedgerReason.allCases.filter(\.countsTowardsTier).map { "'\($0.rawValue)'" }.joined(separator: ", ")))
                                  AND at > ?2 AND at <= ?3 THEN delta END), 0),
               MAX(CASE WHEN reason = 'visitBonus' THEN at END)
        FROM ledgerEntry WHERE profileId = ?4
        """

    /// Points that should have expired by `asOf` and have not been written as expiry entries yet.
    static func pendingExpiry(_ db: Database, profileId: String, asOf: Date) throws -> Int64 {
        try pendingExpiry(db, profileId: profileId, asOf: asOf, summary: summary(db, profileId: profileId, asOf: asOf, tierMonths: 12))
    }

    static func pendingExpiry(_ db: Database, profileId: String, asOf: Date, summary: Summary) throws -> Int64 {
        // Fast path: what has reached its expiry date (spent or not) is already written off.
        let due = summary.due
        let written = summary.written
        guard due > written else { return 0 }
        let entries = try LedgerEntry.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM ledgerEntry WHERE profileId = ? AND reason <> 'expiry' ORDER BY at, rowid
            """), arguments: [profileId])
        return max(0, expiredTotal(entries, asOf: asOf) - written)
    }

    /// Writes the expiry that is due, if any, with its outbox event.
    @discardableResult
    static func materializeExpiry(_ db: Database, profileId: String, asOf: Date, storeId: String) throws -> LedgerEntry? {
        let pending = try pendingExpiry(db, profileId: profileId, asOf: asOf)
        guard pending > 0 else { return nil }
        return try append(db, profileId: profileId, delta: -pending, reason: .expiry, reference: nil, at: asOf,
                          expiresAt: nil, storeId: storeId)
    }

    /// Appends one entry and its `ledger.entry` outbox event.
    @discardableResult
    static func append(_ db: Database, profileId: String, delta: Int64, reason: LedgerReason, reference: String?,
                       at: Date, expiresAt: Date?, storeId: String) throws -> LedgerEntry {
        let entry = LedgerEntry(id: UUIDv7.string(at: at), profileId: profileId, delta: delta, reason: reason,
                                reference: reference, at: at, expiresAt: delta > 0 ? expiresAt : nil)
        try entry.insertRow(db)
        try db.appendOutboxEvent(.ledgerEntry, storeId: storeId, payload: entry, at: at)
        return entry
    }

    /// Replays the credits and debits in time order and returns how many points have expired by `asOf`.
    static func expiredTotal(_ entries: [LedgerEntry], asOf: Date) -> Int64 {
        struct Lot { var remaining: Int64; var expiresAt: Date? }
        var lots: [Lot] = []  // soonest expiry first, never-expiring last
        var debt: Int64 = 0
        var expired: Int64 = 0

        func expireLots(through date: Date) {
            while let first = lots.first, let expiresAt = first.expiresAt, expiresAt <= date {
                expired += first.remaining
                lots.removeFirst()
            }
        }

        for entry in entries {
            expireLots(through: entry.at)
            if entry.delta > 0 {
                let repaid = min(debt, entry.delta)
                debt -= repaid
                let amount = entry.delta - repaid
                guard amount > 0 else { continue }
                let lot = Lot(remaining: amount, expiresAt: entry.expiresAt)
                let index = lots.firstIndex { existing in
                    guard let new = lot.expiresAt else { return false }
                    guard let old = existing.expiresAt else { return true }
                    return new < old
                } ?? lots.endIndex
                lots.insert(lot, at: index)
            } else {
                var needed = -entry.delta
                while needed > 0, !lots.isEmpty {
                    let taken = min(needed, lots[0].remaining)
                    lots[0].remaining -= taken
                    needed -= taken
                    if lots[0].remaining == 0 { lots.removeFirst() }
                }
                debt += needed
            }
        }
        expireLots(through: asOf)
        return expired
    }
}
