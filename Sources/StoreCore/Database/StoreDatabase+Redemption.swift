import Foundation
import GRDB

public struct RedemptionOutcome: Sendable, Hashable, Codable {
    public var redemption: Redemption
    public var reward: Reward
    /// The balance left after the debit.
    public var balance: Int64
}

extension StoreDatabase {
    /// Gives a reward against points: the balance check and the debit happen in one write transaction, so two
    /// tills spending the same last points get one success and one `insufficientPoints`.
    public func redeem(profileId: String, rewardId: String, deviceId: String, at: Date = Date()) async throws -> RedemptionOutcome {
        let profileId = try RecordID.normalized(profileId, what: "profileId")
        let rewardId = try TextField.token(rewardId, field: "rewardId")
        let deviceId = try TextField.token(deviceId, field: "deviceId")
        let at = at.storeTruncated

        return try await write { db in
            let profile = try Self.liveProfile(db, id: profileId)
            guard let reward = try Reward.fetchOne(db, key: rewardId) else {
                throw StoreError(.unknownReward, "no reward with id \(rewardId)")
            }
            guard reward.active else {
                throw StoreError(.rewardInactive, "reward \(rewardId) is no longer offered")
            }
            try PointsLedger.materializeExpiry(db, profileId: profile.id, asOf: at, storeId: self.storeId)
            let balance = try PointsLedger.ledgerSum(db, profileId: profile.id)
            guard balance >= reward.cost else {
                throw StoreError(.insufficientPoints, "balance \(balance) < cost \(reward.cost) of \(reward.name)")
            }
            let redemption = Redemption(id: UUIDv7.string(at: at), storeId: self.storeId, profileId: profile.id,
                                        rewardId: reward.id, cost: reward.cost, deviceId: deviceId, at: at)
            try redemption.insert(db)
            try db.appendOutboxEvent(.redemptionRecorded, storeId: self.storeId, payload: redemption, at: at)
            try PointsLedger.append(db, profileId: profile.id, delta: -reward.cost, reason: .redemption,
                                    reference: redemption.id, at: at, expiresAt: nil, storeId: self.storeId)
            return RedemptionOutcome(redemption: redemption, reward: reward, balance: balance - reward.cost)
        }
    }

    /// The reward catalog as loaded from the rules (inactive rewards included).
    public func rewards() async throws -> [Reward] {
        try await read { db in try Reward.order(Column("cost"), Column("id")).fetchAll(db) }
    }
}
