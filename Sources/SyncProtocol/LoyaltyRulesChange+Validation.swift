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

extension LoyaltyRulesChange {
    /// A rules file's decoding error as one line naming the key ("loyalty.tiers[1].threshold must be a whole
    /// number"), the same whether head office or a store reads the file. Key names are cut to 40 characters:
    /// they come from the file.
    public static func problem(decoding error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            var text = "loyalty"
            for key in codingPath + (last.map { [$0] } ?? []) {
                if let index = key.intValue { text += "[\(index)]" } else { text += ".\(key.stringValue.prefix(40))" }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath, key)) is missing"
        case .typeMismatch(let type, let context):
            let name = String(describing: type)
            let expected = name == "String" ? "a string"
                : name == "Bool" ? "true or false"
                : name.hasPrefix("Array") ? "a list"
                : name.hasPrefix("Dictionary") || context.codingPath.isEmpty ? "an object"
                : "a whole number" + (name == "Double" ? " or a decimal" : "")
            return "\(path(context.codingPath)) must be \(expected)"
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)) must not be null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "loyalty rules are not valid JSON: \(context.debugDescription)"
                : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "loyalty rules could not be decoded: \(error)"
        }
    }
}
