import Foundation
import StoreCore
import Testing

@Suite("Loyalty rules")
struct LoyaltyRulesTests {
    static let configURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/loyalty.json")

    static let validJSON = """
        {"currency": "EUR", "pointsPerUnit": 1, "rounding": "down", "signUpBonus": 50, "visitBonus": 5,
         "visitBonusCooldownHours": 24, "visitWindowMinutes": 30, "tierWindowMonths": 12,
         "tiers": [{"name": "Bronze", "threshold": 0}, {"name": "Silver", "threshold": 500}],
         "rewards": [{"id": "coffee", "name": "Free coffee", "cost": 100}], "pointsExpiryMonths": 24}
        """

    @Test("the shipped config/loyalty.json decodes and equals the built-in defaults")
    func shippedConfigMatchesDefaults() throws {
        let rules = try LoyaltyRules(contentsOf: Self.configURL)
        #expect(rules == LoyaltyRules.default)
        #expect(rules.tiers.map(\.name) == ["Bronze", "Silver", "Gold"])
    }

    @Test("rules survive a JSON round trip")
    func roundTrip() throws {
        let rules = try LoyaltyRules(pointsPerUnit: 0.25, rounding: .nearest, pointsExpiryMonths: nil)
        #expect(try LoyaltyRules(json: rules.json()) == rules)
    }

    /// Each case edits one key of a valid file and names the message expected.
    @Test("invalid rules name the key and the problem", arguments: [
        ("\"pointsPerUnit\": 1", "\"pointsPerUnit\": -1", "loyalty.pointsPerUnit must be > 0, got -1"),
        ("\"pointsPerUnit\": 1", "\"pointsPerUnit\": 0.0000001", "loyalty.pointsPerUnit must have at most 6 decimals"),
        ("\"pointsPerUnit\": 1", "\"pointsPerUnit\": \"1\"", "loyalty.pointsPerUnit must be a whole number or a decimal"),
        ("\"rounding\": \"down\"", "\"rounding\": \"sideways\"", "loyalty.rounding must be one of down, nearest, up, got \"sideways\""),
        ("\"currency\": \"EUR\"", "\"currency\": \"EURO\"", "loyalty.currency: currency must be an ISO 4217"),
        ("\"signUpBonus\": 50", "\"signUpBonus\": -5", "loyalty.signUpBonus must be ≥ 0, got -5"),
        ("\"visitWindowMinutes\": 30", "\"visitWindowMinutes\": 0", "loyalty.visitWindowMinutes must be between 1 and 1440, got 0"),
        ("\"threshold\": 500", "\"threshold\": 0", "loyalty.tiers[1].threshold must be greater than the previous tier's 0, got 0"),
        ("\"threshold\": 0}", "\"threshold\": 10}", "loyalty.tiers[0].threshold must be 0, got 10"),
        ("\"cost\": 100", "\"cost\": 0", "loyalty.rewards[0].cost must be > 0, got 0"),
        ("\"pointsExpiryMonths\": 24", "\"pointsExpiryMonths\": 0", "loyalty.pointsExpiryMonths must be between 1 and 240"),
        (", \"pointsExpiryMonths\": 24", "", "loyalty.pointsExpiryMonths is missing"),
        ("\"visitBonus\": 5,", "", "loyalty.visitBonus is missing"),
        ("\"visitBonus\": 5,", "\"visitBonus\": 5, \"vistBonus\": 5,", "loyalty.vistBonus is not a known key"),
        ("\"cost\": 100}", "\"cost\": 100, \"price\": 3}", "loyalty.rewards[0].price is not a known key"),
        ("\"tiers\": [{\"name\": \"Bronze\", \"threshold\": 0}, {\"name\": \"Silver\", \"threshold\": 500}]", "\"tiers\": 3",
         "loyalty.tiers must be a list"),
    ])
    func invalidRulesAreNamed(original: String, replacement: String, message: String) throws {
        let json = Self.validJSON.replacingOccurrences(of: original, with: replacement)
        #expect(json != Self.validJSON, "the edit must apply")
        let error = #expect(throws: StoreError.self) { try LoyaltyRules(json: Data(json.utf8)) }
        #expect(error?.code == .invalidRules)
        #expect(error?.message.hasPrefix(message) == true, "got: \(error?.message ?? "no error")")
    }

    @Test("invalid JSON is refused", arguments: ["", "{", "null", "{\"currency\": }"])
    func invalidJSON(text: String) {
        let error = #expect(throws: StoreError.self) { try LoyaltyRules(json: Data(text.utf8)) }
        #expect(error?.code == .invalidRules)
    }

    @Test("points per currency unit with the rounding rule", arguments: [
        (1.0, LoyaltyRules.Rounding.down, Int64(1250), Int64(12)),
        (1.0, .nearest, 1250, 13),
        (1.0, .nearest, 1249, 12),
        (1.0, .up, 1201, 13),
        (1.0, .up, 1200, 12),
        (0.1, .down, 1000, 1),
        (0.1, .down, 999, 0),
        (2.5, .down, 1999, 49),
        (1.0, .down, 0, 0),
        (10_000, .down, 1, 100),
    ])
    func pointsForAmount(perUnit: Double, rounding: LoyaltyRules.Rounding, amountMinor: Int64, points: Int64) throws {
        let rules = try LoyaltyRules(pointsPerUnit: perUnit, rounding: rounding)
        #expect(try rules.points(forAmountMinor: amountMinor) == points)
    }

    @Test("points for zero-decimal currencies count whole units")
    func zeroDecimalCurrency() throws {
        let yen = try LoyaltyRules(currency: "JPY", pointsPerUnit: 0.01)
        #expect(try yen.points(forAmountMinor: 1250) == 12)
    }

    @Test("amounts that would overflow the point count are refused, not trapped")
    func overflowIsAnError() throws {
        let rules = try LoyaltyRules(currency: "JPY", pointsPerUnit: 10_000)
        let error = #expect(throws: StoreError.self) { try rules.points(forAmountMinor: Int64.max) }
        #expect(error?.code == .invalidArgument)
    }

    @Test("tiers by rolling points")
    func tiers() {
        let rules = LoyaltyRules.default
        #expect(rules.tier(forRollingPoints: 0).name == "Bronze")
        #expect(rules.tier(forRollingPoints: 499).name == "Bronze")
        #expect(rules.tier(forRollingPoints: 500).name == "Silver")
        #expect(rules.tier(forRollingPoints: 2000).name == "Gold")
    }
}
