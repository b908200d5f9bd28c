import Foundation
import GRDB

/// A profile's points standing: balance, tier and what it can afford.
struct Standing: Sendable {
    var balance: Int64
    var rollingPoints: Int64
    var tier: String
}

extension StoreDatabase {
    /// Fetches a profile that may still earn and spend: unknown or erased profiles are errors.
    static func liveProfile(_ db: Database, id: String) throws -> Profile {
        guard let profile = try Profile.fetchOne(db.cachedStatement(sql: "SELECT * FROM profile WHERE id = ?"), arguments: [id]) else {
            throw StoreError(.unknownProfile, "no profile with id \(id)")
        }
        guard !profile.isErased else {
            throw StoreError(.profileErased, "profile \(id) was erased and can no longer be used")
        }
        return profile
    }

    /// In a write transaction: writes due expiry, then returns the standing and refreshes the profile's cached tier.
    ///
    /// `summary`, when given, must be ``PointsLedger/summary(_:profileId:asOf:tierMonths:)`` for the same profile,
    /// date and tier window, read in this transaction after its last ledger write.
    func settleStanding(_ db: Database, profile: Profile, asOf: Date, summary: PointsLedger.Summary? = nil) throws -> Standing {
        let summary = try summary
            ?? PointsLedger.summary(db, profileId: profile.id, asOf: asOf, tierMonths: rules.tierWindowMonths)
        let pending = try PointsLedger.pendingExpiry(db, profileId: profile.id, asOf: asOf, summary: summary)
        if pending > 0 {
            try PointsLedger.append(db, profileId: profile.id, delta: -pending, reason: .expiry, reference: nil, at: asOf,
                                    expiresAt: nil, storeId: storeId)
        }
        let standing = Standing(balance: summary.sum - pending, rollingPoints: summary.tierPoints,
                                tier: rules.tier(forRollingPoints: summary.tierPoints).name)
        if standing.tier != profile.tier {
            var updated = profile
            updated.tier = standing.tier
            updated.updatedAt = max(profile.updatedAt, asOf)
            try updated.update(db)
        }
        return standing
    }

    /// Read-only standing: due expiry is subtracted, not written.
    func standing(_ db: Database, profileId: String, asOf: Date) throws -> Standing {
        let summary = try PointsLedger.summary(db, profileId: profileId, asOf: asOf, tierMonths: rules.tierWindowMonths)
        let pending = try PointsLedger.pendingExpiry(db, profileId: profileId, asOf: asOf, summary: summary)
        return Standing(balance: summary.sum - pending, rollingPoints: summary.tierPoints,
                        tier: rules.tier(forRollingPoints: summary.tierPoints).name)
    }

    static func affordableRewards(_ db: Database, balance: Int64) throws -> [Reward] {
        try Reward.fetchAll(db.cachedStatement(sql: "SELECT * FROM reward WHERE active AND cost <= ? ORDER BY cost, id"),
                            arguments: [balance])
    }
}
