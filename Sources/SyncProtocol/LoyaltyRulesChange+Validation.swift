import Foundation

extension LoyaltyRulesChange {
    /// The first thing wrong with these earning rules, worded after the key ("pointsPerUnit must be > 0, got -1"),
    /// or nil. The one definition of the bounds: head office checks the rules it is given before sending them, and
    /// a store checks its own file and what it receives, so head office never sends rules a store would refuse.
    public var problem: String? {
        let code = currency.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.count == 3, code.unicodeScalars.allSatisfy({ (65...90).contains($0.value) }) else {
            return "currency must be a three-letter ISO 4217 code such as EUR, got \"\(currency.prefix(20))\""
        }
        guard ["down", "nearest", "up"].contains(rounding) else {
            return "rounding must be one of down, nearest, up, got \"\(rounding.prefix(20))\""
        }
        guard pointsPerUnit.isFinite, pointsPerUnit > 0 else { return "pointsPerUnit must be > 0, got \(pointsPerUnit)" }
        guard pointsPerUnit <= 10_000 else { return "pointsPerUnit must be ≤ 10000, got \(pointsPerUnit)" }
        let micros = pointsPerUnit * 1_000_000
        guard abs(micros - micros.rounded()) < 1e-3 else { return "pointsPerUnit must have at most 6 decimals, got \(pointsPerUnit)" }
        guard signUpBonus >= 0 else { return "signUpBonus must be ≥ 0, got \(signUpBonus)" }
        guard visitBonus >= 0 else { return "visitBonus must be ≥ 0, got \(visitBonus)" }
        guard (0...24 * 366).contains(visitBonusCooldownHours) else {
            return "visitBonusCooldownHours must be between 0 and 8784, got \(visitBonusCooldownHours)"
        }
        guard (1...24 * 60).contains(visitWindowMinutes) else {
            return "visitWindowMinutes must be between 1 and 1440, got \(visitWindowMinutes)"
        }
        guard (1...120).contains(tierWindowMonths) else { return "tierWindowMonths must be between 1 and 120, got \(tierWindowMonths)" }
        guard let first = tiers.first else { return "tiers must list at least one tier" }
        guard first.threshold == 0 else { return "tiers[0].threshold must be 0, got \(first.threshold)" }
        for (index, tier) in tiers.enumerated() {
            guard !tier.name.trimmingCharacters(in: .whitespaces).isEmpty, tier.name.count <= 40 else {
                return "tiers[\(index)].name must be 1–40 characters"
            }
            if index > 0, tier.threshold <= tiers[index - 1].threshold {
                return "tiers[\(index)].threshold must be greater than the previous tier's \(tiers[index - 1].threshold), got \(tier.threshold)"
            }
        }
        guard Set(tiers.map(\.name)).count == tiers.count else { return "tiers must have distinct names" }
        if let months = pointsExpiryMonths, !(1...240).contains(months) {
            return "pointsExpiryMonths must be between 1 and 240 (or null for never), got \(months)"
        }
        return nil
    }
}
