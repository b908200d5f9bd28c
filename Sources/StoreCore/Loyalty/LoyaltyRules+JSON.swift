import Foundation
import SyncProtocol

extension LoyaltyRules {
    /// Reads the rules from a JSON file such as `config/loyalty.json`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw StoreError(.invalidRules, "cannot read loyalty rules at \(url.path): \(error.localizedDescription)")
        }
        try self.init(json: data)
    }

    /// Decodes and validates the rules. Every key is required (use `null` for "never" in `pointsExpiryMonths`),
    /// unknown keys are refused so that a typo does not silently fall back to a default, and every error names
    /// the key, e.g. `loyalty.pointsPerUnit must be > 0, got -1`.
    public init(json: Data) throws {
        let file: RulesFile
        do {
            file = try JSONDecoder().decode(RulesFile.self, from: json)
        } catch let error as StoreError {
            throw error
        } catch let error as DecodingError {
            throw StoreError(.invalidRules, LoyaltyRulesChange.problem(decoding: error))
        }
        try self.init(
            currency: file.currency,
            pointsPerUnit: file.pointsPerUnit,
            rounding: file.rounding,
            signUpBonus: file.signUpBonus,
            visitBonus: file.visitBonus,
            visitBonusCooldownHours: file.visitBonusCooldownHours,
            visitWindowMinutes: file.visitWindowMinutes,
            tierWindowMonths: file.tierWindowMonths,
            tiers: file.tiers.map { Tier(name: $0.name, threshold: $0.threshold) },
            rewards: file.rewards.map { RewardRule(id: $0.id, name: $0.name, cost: $0.cost, active: $0.active ?? true) },
            pointsExpiryMonths: file.pointsExpiryMonths
        )
    }

    /// The JSON form of these rules, as `config/loyalty.json` holds them.
    public func json() throws -> Data {
        let file = RulesFile(
            currency: currency.code, pointsPerUnit: pointsPerUnit, rounding: rounding, signUpBonus: signUpBonus,
            visitBonus: visitBonus, visitBonusCooldownHours: visitBonusCooldownHours,
            visitWindowMinutes: visitWindowMinutes, tierWindowMonths: tierWindowMonths,
            tiers: tiers.map { RulesFile.TierEntry(name: $0.name, threshold: $0.threshold) },
            rewards: rewards.map { RulesFile.RewardEntry(id: $0.id, name: $0.name, cost: $0.cost, active: $0.active) },
            pointsExpiryMonths: pointsExpiryMonths)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(file)
    }
}

/// The file's shape. Kept apart from ``LoyaltyRules`` so the public type stays always-valid.
private struct RulesFile: Codable {
    var currency: String
    var pointsPerUnit: Double
    var rounding: LoyaltyRules.Rounding
    var signUpBonus: Int64
    var visitBonus: Int64
    var visitBonusCooldownHours: Int
    var visitWindowMinutes: Int
    var tierWindowMonths: Int
    var tiers: [TierEntry]
    var rewards: [RewardEntry]
    var pointsExpiryMonths: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case currency, pointsPerUnit, rounding, signUpBonus, visitBonus, visitBonusCooldownHours, visitWindowMinutes
        case tierWindowMonths, tiers, rewards, pointsExpiryMonths
    }

    struct TierEntry: Codable {
        var name: String
        var threshold: Int64

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, threshold
        }

        init(name: String, threshold: Int64) {
            self.name = name
            self.threshold = threshold
        }

        init(from decoder: any Decoder) throws {
            try refuseUnknownKeys(in: decoder, allowed: CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            threshold = try container.decode(Int64.self, forKey: .threshold)
        }
    }

    struct RewardEntry: Codable {
        var id: String
        var name: String
        var cost: Int64
        var active: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, name, cost, active
        }

        init(id: String, name: String, cost: Int64, active: Bool?) {
            self.id = id
            self.name = name
            self.cost = cost
            self.active = active
        }

        init(from decoder: any Decoder) throws {
            try refuseUnknownKeys(in: decoder, allowed: CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            name = try container.decode(String.self, forKey: .name)
            cost = try container.decode(Int64.self, forKey: .cost)
            active = try container.decodeIfPresent(Bool.self, forKey: .active)
        }
    }

    init(currency: String, pointsPerUnit: Double, rounding: LoyaltyRules.Rounding, signUpBonus: Int64, visitBonus: Int64,
         visitBonusCooldownHours: Int, visitWindowMinutes: Int, tierWindowMonths: Int, tiers: [TierEntry],
         rewards: [RewardEntry], pointsExpiryMonths: Int?) {
        self.currency = currency
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
    }

    init(from decoder: any Decoder) throws {
        try refuseUnknownKeys(in: decoder, allowed: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        currency = try container.decode(String.self, forKey: .currency)
        pointsPerUnit = try container.decode(Double.self, forKey: .pointsPerUnit)
        let roundingText = try container.decode(String.self, forKey: .rounding)
        guard let rounding = LoyaltyRules.Rounding(rawValue: roundingText) else {
            let choices = LoyaltyRules.Rounding.allCases.map(\.rawValue).joined(separator: ", ")
            throw StoreError(.invalidRules, "loyalty.rounding must be one of \(choices), got \"\(Sanitized.excerpt(roundingText))\"")
        }
        self.rounding = rounding
        signUpBonus = try container.decode(Int64.self, forKey: .signUpBonus)
        visitBonus = try container.decode(Int64.self, forKey: .visitBonus)
        visitBonusCooldownHours = try container.decode(Int.self, forKey: .visitBonusCooldownHours)
        visitWindowMinutes = try container.decode(Int.self, forKey: .visitWindowMinutes)
        tierWindowMonths = try container.decode(Int.self, forKey: .tierWindowMonths)
        tiers = try container.decode([TierEntry].self, forKey: .tiers)
        rewards = try container.decode([RewardEntry].self, forKey: .rewards)
        guard container.contains(.pointsExpiryMonths) else {
            throw StoreError(.invalidRules, "loyalty.pointsExpiryMonths is missing (use null for points that never expire)")
        }
        pointsExpiryMonths = try container.decodeIfPresent(Int.self, forKey: .pointsExpiryMonths)
    }

    /// Written out in full, with an explicit `null` for points that never expire, so the file reads back.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(currency, forKey: .currency)
        try container.encode(pointsPerUnit, forKey: .pointsPerUnit)
        try container.encode(rounding, forKey: .rounding)
        try container.encode(signUpBonus, forKey: .signUpBonus)
        try container.encode(visitBonus, forKey: .visitBonus)
        try container.encode(visitBonusCooldownHours, forKey: .visitBonusCooldownHours)
        try container.encode(visitWindowMinutes, forKey: .visitWindowMinutes)
        try container.encode(tierWindowMonths, forKey: .tierWindowMonths)
        try container.encode(tiers, forKey: .tiers)
        try container.encode(rewards, forKey: .rewards)
        if let pointsExpiryMonths {
            try container.encode(pointsExpiryMonths, forKey: .pointsExpiryMonths)
        } else {
            try container.encodeNil(forKey: .pointsExpiryMonths)
        }
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private func refuseUnknownKeys<Keys: CodingKey & CaseIterable>(in decoder: any Decoder, allowed: Keys.Type) throws {
    let known = Set(Keys.allCases.map(\.stringValue))
    let container = try decoder.container(keyedBy: AnyKey.self)
    if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
        var place = "loyalty"
        for key in decoder.codingPath {
            if let index = key.intValue { place += "[\(index)]" } else { place += ".\(key.stringValue)" }
        }
        throw StoreError(.invalidRules, "\(place).\(Sanitized.excerpt(unknown)) is not a known key (known: \(known.sorted().joined(separator: ", ")))")
    }
}
