import Foundation
import SyncProtocol

/// Reads the chain's earning rules from a file shaped like a store's `config/loyalty.json`, less `rewards` (the
/// chain's rewards are its catalog, `parcours hq reward set`). Every key is required, unknown keys are refused,
/// and the checks are the ones a store makes on receipt (one definition in SyncProtocol), so head office never
/// sends rules a store would refuse.
enum LoyaltyRulesFile {
    static func parse(_ json: Data) throws -> LoyaltyRulesChange {
        var rules: LoyaltyRulesChange
        do {
            rules = try JSONDecoder().decode(RulesFile.self, from: json).rules
        } catch let error as DecodingError {
            throw invalid(LoyaltyRulesChange.problem(decoding: error))
        }
        try validate(rules)
        // As a store's CurrencyCode reads it, so that every store receives the same text.
        rules.currency = rules.currency.trimmingCharacters(in: .whitespaces).uppercased()
        return rules
    }

    /// The bounds every store checks too (SyncProtocol's ``LoyaltyRulesChange/problem``).
    static func validate(_ rules: LoyaltyRulesChange) throws {
        if let problem = rules.problem { throw invalid("loyalty.\(problem)") }
    }

    static func invalid(_ message: String) -> HeadOfficeError { HeadOfficeError(.invalidArgument, message) }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private func refuseUnknownKeys(in decoder: any Decoder, known: [String]) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    let place = decoder.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    if place.isEmpty, container.contains(AnyKey(stringValue: "rewards")) {
        throw LoyaltyRulesFile.invalid("loyalty.rewards is not part of head office's rules: the chain's rewards are set with 'parcours hq reward set'; remove the key")
    }
    if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
        throw LoyaltyRulesFile.invalid("loyalty\(place).\(unknown.prefix(40)) is not a known key (known: \(known.sorted().joined(separator: ", ")))")
    }
}

/// The file's shape: every key required, `pointsExpiryMonths` present even when null.
private struct RulesFile: Decodable {
    let rules: LoyaltyRulesChange

    enum Keys: String, CodingKey, CaseIterable {
        case currency, pointsPerUnit, rounding, signUpBonus, visitBonus, visitBonusCooldownHours, visitWindowMinutes
        case tierWindowMonths, tiers, pointsExpiryMonths
    }

    struct Tier: Decodable {
        let tier: LoyaltyRulesChange.Tier
        enum Keys: String, CodingKey, CaseIterable { case name, threshold }

        init(from decoder: any Decoder) throws {
            try refuseUnknownKeys(in: decoder, known: Keys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: Keys.self)
            tier = .init(name: try container.decode(String.self, forKey: .name),
                         threshold: try container.decode(Int64.self, forKey: .threshold))
        }
    }

    init(from decoder: any Decoder) throws {
        try refuseUnknownKeys(in: decoder, known: Keys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: Keys.self)
        guard container.contains(.pointsExpiryMonths) else {
            throw LoyaltyRulesFile.invalid("loyalty.pointsExpiryMonths is missing (use null for points that never expire)")
        }
        rules = LoyaltyRulesChange(
            currency: try container.decode(String.self, forKey: .currency),
            pointsPerUnit: try container.decode(Double.self, forKey: .pointsPerUnit),
            rounding: try container.decode(String.self, forKey: .rounding),
            signUpBonus: try container.decode(Int64.self, forKey: .signUpBonus),
            visitBonus: try container.decode(Int64.self, forKey: .visitBonus),
            visitBonusCooldownHours: try container.decode(Int.self, forKey: .visitBonusCooldownHours),
            visitWindowMinutes: try container.decode(Int.self, forKey: .visitWindowMinutes),
            tierWindowMonths: try container.decode(Int.self, forKey: .tierWindowMonths),
            tiers: try container.decode([Tier].self, forKey: .tiers).map(\.tier),
            pointsExpiryMonths: try container.decodeIfPresent(Int.self, forKey: .pointsExpiryMonths))
    }
}
