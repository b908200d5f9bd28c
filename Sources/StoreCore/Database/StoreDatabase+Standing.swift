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
        guard let profile = try Profile.fetchOne(db, key: id) else {
            throw StoreError(.unknownProfile, "no profile with id \(id)")
        }
        guard !profile.isErased else {
            throw StoreError(.profileErased, "profile \(id) was erased and can no longer be used")
        }
        return profile
    }

    /// In a write transaction: writes due expiry, then returns the standing and refreshes the profile's cached tier.
    func settleStanding(_ db: Database, profile: Profile, asOf: Date) throws -> Standing {
        try PointsLedger.materializeExpiry(db, profileId: profile.id, asOf: asOf, storeId: storeId)
        let standing = try standing(db, profileId: profile.id, asOf: asOf)
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
        let balance = try PointsLedger.balance(db, profileId: profileId, asOf: asOf)
        let rolling = try PointsLedger.rollingTierPoints(db, profileId: profileId, asOf: asOf, months: rules.tierWindowMonths)
        return Standing(balance: balance, rollingPoints: rolling, tier: rules.tier(forRollingPoints: rolling).name)
    }

    static func affordableRewards(_ db: Database, balance: Int64) throws -> [Reward] {
        try Reward.filter(Column("active") == true && Column("cost") <= balance).order(Column("cost"), Column("id")).fetchAll(db)
    }
}
