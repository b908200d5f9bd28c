import Foundation
import SyncProtocol

extension CustomerView {
    /// The tier a customer holds by the chain's loyalty rules: what the stores compute from the same ledger.
    public struct Tier: Sendable, Codable, Hashable {
        public var name: String
        /// Points earned (purchases less refunds, visit and sign-up bonuses) over the rules' rolling window.
        public var rollingPoints: Int
        public var windowMonths: Int
        public var nextTier: String?
        public var pointsToNextTier: Int?
    }
}

extension CustomerView.Tier {
    /// The ledger reasons that earn towards a tier, as the stores count them; redemptions, expiry and adjustments
    /// move the balance but not the tier.
    public static let earningReasons: Set<String> = ["purchase", "refund", "visitBonus", "signUpBonus"]

    /// The tier reached on `asOf` with `ledger` (all of the customer's lines) under `rules`.
    init(ledger: [CustomerView.LedgerLine], rules: LoyaltyRulesChange, asOf: Date) {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let windowStart = utc.date(byAdding: .month, value: -rules.tierWindowMonths, to: asOf) ?? asOf
        let earned = ledger.filter { Self.earningReasons.contains($0.reason) && $0.at > windowStart && $0.at <= asOf }
            .reduce(0) { $0 + $1.delta }
        let points = max(0, earned)
        let reached = rules.tiers.last { $0.threshold <= points } ?? rules.tiers[0]
        let next = rules.tiers.first { $0.threshold > points }
        self.init(name: reached.name, rollingPoints: points, windowMonths: rules.tierWindowMonths,
                  nextTier: next?.name, pointsToNextTier: next.map { Int($0.threshold) - points })
    }
}
