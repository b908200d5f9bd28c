import Foundation
import SyncProtocol

/// The store's loyalty programme, normally read from `config/loyalty.json` (see ``init(json:)``).
///
/// Every instance is valid: the memberwise initializer and the JSON decoder run the same checks, so code that
/// holds a `LoyaltyRules` never has to wonder whether `pointsPerUnit` is positive or the tiers are ordered.
public struct LoyaltyRules: Sendable, Hashable {
    public enum Rounding: String, Codable, Sendable, CaseIterable {
        case down, nearest, up
    }

    public struct Tier: Codable, Sendable, Hashable {
        public var name: String
        /// Points earned over the rolling window needed to reach this tier.
        public var threshold: Int64

        public init(name: String, threshold: Int64) {
            self.name = name
            self.threshold = threshold
        }
    }

    public struct RewardRule: Codable, Sendable, Hashable {
        public var id: String
        public var name: String
        public var cost: Int64
        public var active: Bool

        public init(id: String, name: String, cost: Int64, active: Bool = true) {
            self.id = id
            self.name = name
            self.cost = cost
            self.active = active
        }
    }

    /// The currency purchases must be in; points are per major unit of it.
    public private(set) var currency: CurrencyCode
    /// Points per major currency unit (e.g. 1 point per euro); up to 6 decimals.
    public private(set) var pointsPerUnit: Double
    public private(set) var rounding: Rounding
    public private(set) var signUpBonus: Int64
    public private(set) var visitBonus: Int64
    /// A profile earns at most one visit bonus per this many hours.
    public private(set) var visitBonusCooldownHours: Int
    /// Taps of the same identifier at the same store within this many minutes are one visit.
    public private(set) var visitWindowMinutes: Int
    /// Tiers are reached by points earned over this many months, rolling.
    public private(set) var tierWindowMonths: Int
    /// Ordered by threshold; the first has threshold 0.
    public private(set) var tiers: [Tier]
    public private(set) var rewards: [RewardRule]
    /// Earned points expire this many months after they were earned; nil means they never do.
    public private(set) var pointsExpiryMonths: Int?

    public init(
        currency: String = "EUR",
        pointsPerUnit: Double = 1,
        rounding: Rounding = .down,
        signUpBonus: Int64 = 50,
        visitBonus: Int64 = 5,
        visitBonusCooldownHours: Int = 24,
        visitWindowMinutes: Int = 30,
        tierWindowMonths: Int = 12,
        tiers: [Tier] = [Tier(name: "Bronze", threshold: 0), Tier(name: "Silver", threshold: 500), Tier(name: "Gold", threshold: 2000)],
        rewards: [RewardRule] = LoyaltyRules.defaultRewards,
        pointsExpiryMonths: Int? = 24
    ) throws {
        self.currency = try Self.check("currency") { try CurrencyCode(currency) }
        self.pointsPerUnit = pointsPerUnit
        self.rounding = rounding
        self.signUpBonus = signUpBonus
        self.visitBonus = visitBonus
        self.visitBonusCooldownHours = visitBonusCooldownHours
        self.visitWindowMinutes = visitWindowMinutes
        self.tierWindowMonths = tierWindowMonths
        self.tiers = tiers
        self.rewards = rewards
        self.pointsExpiryMonths = pointsExpiryMonths
        try validate()
    }

    public static let defaultRewards: [RewardRule] = [
        RewardRule(id: "coffee", name: "Free coffee", cost: 100),
        RewardRule(id: "tote-bag", name: "Tote bag", cost: 250),
        RewardRule(id: "voucher-10", name: "10 € voucher", cost: 500),
    ]

    /// The programme used when no file is given; identical to the shipped `config/loyalty.json`.
    public static let `default`: LoyaltyRules = {
        do { return try LoyaltyRules() } catch { preconditionFailure("built-in loyalty defaults are invalid: \(error)") }
    }()

    var visitWindow: TimeInterval { TimeInterval(visitWindowMinutes) * 60 }
    var visitBonusCooldown: TimeInterval { TimeInterval(visitBonusCooldownHours) * 3600 }

    /// These rules with another reward list, checked like any other. Head office's earning rules travel
    /// without rewards (those are the reward catalog); the store keeps its file's list beside them.
    public func replacingRewards(with rewards: [RewardRule]) throws -> LoyaltyRules {
        try LoyaltyRules(currency: currency.code, pointsPerUnit: pointsPerUnit, rounding: rounding, signUpBonus: signUpBonus,
                         visitBonus: visitBonus, visitBonusCooldownHours: visitBonusCooldownHours,
                         visitWindowMinutes: visitWindowMinutes, tierWindowMonths: tierWindowMonths, tiers: tiers,
                         rewards: rewards, pointsExpiryMonths: pointsExpiryMonths)
    }

    /// The earning rules in the contract's form (everything but the rewards), as head office sends them.
    public var earningRules: LoyaltyRulesChange {
        LoyaltyRulesChange(currency: currency.code, pointsPerUnit: pointsPerUnit, rounding: rounding.rawValue,
                           signUpBonus: signUpBonus, visitBonus: visitBonus, visitBonusCooldownHours: visitBonusCooldownHours,
                           visitWindowMinutes: visitWindowMinutes, tierWindowMonths: tierWindowMonths,
                           tiers: tiers.map { LoyaltyRulesChange.Tier(name: $0.name, threshold: $0.threshold) },
                           pointsExpiryMonths: pointsExpiryMonths)
    }

    /// The tier reached with `points` earned over the window.
    public func tier(forRollingPoints points: Int64) -> Tier {
        tiers.last { $0.threshold <= points } ?? tiers[0]
    }

    private static func check<T>(_ key: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as StoreError {
            throw StoreError(.invalidRules, "loyalty.\(key): \(error.message)")
        }
    }

    private func validate() throws {
        func fail(_ message: String) -> StoreError { StoreError(.invalidRules, "loyalty.\(message)") }
        // The earning rules' bounds are the contract's, shared with head office; the rewards are the store's own.
        if let problem = earningRules.problem { throw fail(problem) }
        for (index, reward) in rewards.enumerated() {
            do {
                _ = try TextField.token(reward.id, field: "id")
                _ = try TextField.name(reward.name, field: "name")
            } catch let error as StoreError {
                throw fail("rewards[\(index)].\(error.message)")
            }
            guard reward.cost > 0 else { throw fail("rewards[\(index)].cost must be > 0, got \(reward.cost)") }
        }
        guard Set(rewards.map(\.id)).count == rewards.count else { throw fail("rewards must have distinct ids") }
    }
}
