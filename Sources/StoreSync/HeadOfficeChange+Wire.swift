import Foundation
import StoreCore
import SyncProtocol

extension HeadOfficeChange {
    /// The store's reading of a change from the feed. A change the store cannot apply (an identifier kind or
    /// consent purpose this version does not know) is skipped, not fatal: head office may be a version ahead.
    init?(wire change: Change) throws {
        func date(_ text: String, _ field: String) throws -> Date {
            guard let date = SyncDate.date(text) else {
                throw SyncProtocolError("change \(change.position): \(field) is not an ISO 8601 date: '\(text.prefix(40))'")
            }
            return date
        }
        func missing(_ what: String) -> SyncProtocolError {
            SyncProtocolError("change \(change.position) of kind \(change.kind.rawValue) carries no \(what)")
        }
        switch change.kind {
        case .profile:
            guard let p = change.profile else { throw missing("profile") }
            self = .profile(id: p.id, firstName: p.firstName, lastName: p.lastName, email: p.email, phone: p.phone,
                            language: p.language, createdAt: try date(p.createdAt, "createdAt"),
                            updatedAt: try date(p.updatedAt, "updatedAt"))
        case .identifier:
            guard let i = change.identifier else { throw missing("identifier") }
            guard let kind = IdentifierKind(rawValue: i.kind) else { return nil }
            self = .identifier(kind: kind, value: i.value, profileId: i.profileId, verified: i.verified,
                               publicKey: i.publicKey.flatMap { Data(base64Encoded: $0) }, revoked: i.revoked)
        case .ledgerEntry:
            guard let l = change.ledgerEntry else { throw missing("ledger entry") }
            guard let reason = LedgerReason(rawValue: l.reason) else { return nil }
            self = .ledgerEntry(id: l.id, profileId: l.profileId, delta: l.delta, reason: reason, reference: l.reference,
                                at: try date(l.at, "at"), expiresAt: try l.expiresAt.map { try date($0, "expiresAt") })
        case .consent:
            guard let c = change.consent else { throw missing("consent") }
            guard let purpose = ConsentPurpose(rawValue: c.purpose) else { return nil }
            self = .consent(id: c.id, profileId: c.profileId, purpose: purpose, granted: c.granted, at: try date(c.at, "at"))
        case .merge:
            guard let m = change.merge else { throw missing("merge") }
            self = .merge(aliasId: m.aliasId, survivorId: m.survivorId)
        case .erasure:
            guard let e = change.erasure else { throw missing("erasure") }
            self = .erasure(profileId: e.profileId, at: try date(e.at, "at"))
        case .rewardCatalog:
            guard let rewards = change.rewards else { throw missing("rewards") }
            self = .rewardCatalog(rewards.map { Reward(id: $0.id, name: $0.name, cost: $0.cost, active: $0.active) })
        case .loyaltyRules:
            guard let r = change.loyaltyRules else { throw missing("loyalty rules") }
            // Head office checks the rules as the store does; rules this version still refuses (a currency it does
            // not know) are skipped like any change it cannot apply, and the store keeps earning by the rules it has.
            guard let rounding = LoyaltyRules.Rounding(rawValue: r.rounding),
                  let rules = try? LoyaltyRules(
                      currency: r.currency, pointsPerUnit: r.pointsPerUnit, rounding: rounding, signUpBonus: r.signUpBonus,
                      visitBonus: r.visitBonus, visitBonusCooldownHours: r.visitBonusCooldownHours,
                      visitWindowMinutes: r.visitWindowMinutes, tierWindowMonths: r.tierWindowMonths,
                      tiers: r.tiers.map { LoyaltyRules.Tier(name: $0.name, threshold: $0.threshold) }, rewards: [],
                      pointsExpiryMonths: r.pointsExpiryMonths)
            else { return nil }
            self = .loyaltyRules(rules)
        case .storeSettings:
            guard let settings = change.storeSettings else { throw missing("store settings") }
            self = .storeSettings(redemptionAllowance: max(0, settings.redemptionAllowance))
        }
    }
}
