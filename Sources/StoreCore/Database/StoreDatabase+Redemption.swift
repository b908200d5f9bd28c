import Foundation
import GRDB

public struct RedemptionOutcome: Sendable, Hashable, Codable {
    public var redemption: Redemption
    public var reward: Reward
    /// The balance left after the debit; below zero only for a redemption on the offline allowance.
    public var balance: Int64
    /// Points this redemption took beyond the customer's balance, on head office's offline allowance (0 when
    /// the balance covered it). Head office reconciles at the next sync and flags what its own balance does not cover.
    public var offlineOverdraft: Int64
}

extension StoreDatabase {
    /// Gives a reward against points: the balance check and the debit happen in one write transaction, so two
    /// tills spending the same last points get one success and one `insufficientPoints`.
    ///
    /// While head office is unreachable (see ``Options/offlineAfter``), the balance the store knows may lack
    /// points earned in other stores, so a redemption may take it below zero by up to the allowance head office
    /// sent for this store, counting every earlier offline overdraft of the same customer; never further.
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
            let overdraft = try self.offlineOverdraft(db, balance: balance, reward: reward, at: at)
            let redemption = Redemption(id: UUIDv7.string(at: at), storeId: self.storeId, profileId: profile.id,
                                        rewardId: reward.id, cost: reward.cost, deviceId: deviceId, at: at)
            try redemption.insert(db)
            try db.appendOutboxEvent(.redemptionRecorded, storeId: self.storeId, payload: redemption, at: at)
            try PointsLedger.append(db, profileId: profile.id, delta: -reward.cost, reason: .redemption,
                                    reference: redemption.id, at: at, expiresAt: nil, storeId: self.storeId)
            return RedemptionOutcome(redemption: redemption, reward: reward, balance: balance - reward.cost,
                                     offlineOverdraft: overdraft)
        }
    }

    /// How far beyond the balance this redemption may go (0 when the balance covers it), or why it is refused.
    private func offlineOverdraft(_ db: Database, balance: Int64, reward: Reward, at: Date) throws -> Int64 {
        if balance >= reward.cost { return 0 }
        let short = "balance \(balance) < cost \(reward.cost) of \(reward.name)"
        let standing = try Self.headOfficeStanding(db)
        let allowance = standing.redemptionAllowance
        guard allowance > 0 else { throw StoreError(.insufficientPoints, short) }
        guard standing.isOffline(at: at, offlineAfter: options.offlineAfter) else {
            throw StoreError(.insufficientPoints, "\(short); head office is reachable, so the offline allowance does not apply")
        }
        let after = balance - reward.cost
        guard after >= -allowance else {
            let left = max(0, allowance + min(balance, 0))
            throw StoreError(.insufficientPoints, "\(short), and head office is unreachable but this would take the balance to \(after), "
                + "beyond the offline allowance of \(allowance) points per customer (\(left) left for this customer)")
        }
        return -after - max(0, -balance)
    }

    /// The reward catalog as loaded from the rules (inactive rewards included).
    public func rewards() async throws -> [Reward] {
        try await read { db in try Reward.order(Column("cost"), Column("id")).fetchAll(db) }
    }
}
