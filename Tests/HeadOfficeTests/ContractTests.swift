import Foundation
import HeadOffice
import SyncProtocol
import StoreCore
import Testing

@Suite("The store ↔ head-office contract")
struct ContractTests {
    @Test("head office knows every event type a store writes to its outbox")
    func eventTypes() {
        let known = Set(StoreEventType.allCases.map(\.rawValue))
        let written = Set(OutboxEventType.allCases.map(\.rawValue))
        #expect(written.subtracting(known).isEmpty, "a store would send types head office refuses: \(written.subtracting(known).sorted())")
        #expect(known == written, "head office expects types no store writes: \(known.subtracting(written).sorted())")
    }

    @Test("head office ranks tiers on the same ledger reasons as the stores")
    func tierReasons() {
        #expect(Set(LedgerReason.allCases.filter(\.countsTowardsTier).map(\.rawValue)) == CustomerView.Tier.earningReasons)
    }
}

@Suite("The changes feed's wire form")
struct ChangeWireTests {
    @Test("loyalty rules and store settings read back as head office sent them, 'never expires' as an explicit null")
    func roundTrip() throws {
        let rules = LoyaltyRulesChange(currency: "EUR", pointsPerUnit: 1.5, rounding: "nearest", signUpBonus: 20, visitBonus: 5,
                                       visitBonusCooldownHours: 24, visitWindowMinutes: 30, tierWindowMonths: 12,
                                       tiers: [.init(name: "Bronze", threshold: 0)], pointsExpiryMonths: nil)
        for change in [Change(position: 7, kind: .loyaltyRules, loyaltyRules: rules),
                       Change(position: 8, kind: .storeSettings, storeSettings: StoreSettingsChange(redemptionAllowance: 100))] {
            let data = try JSONEncoder().encode(change)
            #expect(try JSONDecoder().decode(Change.self, from: data) == change)
        }
        #expect(String(decoding: try JSONEncoder().encode(rules), as: UTF8.self).contains(#""pointsExpiryMonths":null"#))
    }
}
