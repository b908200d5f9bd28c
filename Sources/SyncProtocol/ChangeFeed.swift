import Foundation

/// `GET /v1/sync/changes?after=CURSOR&limit=N`: what head office has for one store, in order.
public struct ChangePage: Codable, Sendable, Hashable {
    public var changes: [Change]
    /// Where to resume: pass it as `after` next time. Opaque to the store.
    public var cursor: String
    /// More changes are waiting beyond this page.
    public var hasMore: Bool

    public init(changes: [Change], cursor: String, hasMore: Bool) {
        self.changes = changes
        self.cursor = cursor
        self.hasMore = hasMore
    }

    public static let maximumLimit = 2_000
}

/// One change for the store to apply. Applying the same change twice has the effect of applying it once.
public struct Change: Codable, Sendable, Hashable {
    public var position: Int64
    public var kind: Kind
    /// Set for `profile`.
    public var profile: ProfileChange?
    /// Set for `identifier`.
    public var identifier: IdentifierChange?
    /// Set for `ledgerEntry`.
    public var ledgerEntry: LedgerEntryChange?
    /// Set for `consent`.
    public var consent: ConsentChange?
    /// Set for `merge`.
    public var merge: MergeChange?
    /// Set for `erasure`.
    public var erasure: ErasureChange?
    /// Set for `rewardCatalog`.
    public var rewards: [RewardChange]?
    /// Set for `loyaltyRules`.
    public var loyaltyRules: LoyaltyRulesChange?
    /// Set for `storeSettings`.
    public var storeSettings: StoreSettingsChange?

    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A profile the store has seen was created or updated elsewhere.
        case profile
        /// An identifier (card, phone app key, payment token…) belongs to a profile.
        case identifier
        /// A points movement made elsewhere, for a profile the store has seen.
        case ledgerEntry
        case consent
        /// Two profiles are one person: the alias now redirects to the survivor.
        case merge
        /// Remove the person's personal data.
        case erasure
        /// The chain's reward catalog, whole.
        case rewardCatalog
        /// The chain's loyalty earning rules, whole.
        case loyaltyRules
        /// Head office's settings for this one store (its offline redemption allowance).
        case storeSettings
    }

    public init(position: Int64, kind: Kind, profile: ProfileChange? = nil, identifier: IdentifierChange? = nil,
                ledgerEntry: LedgerEntryChange? = nil, consent: ConsentChange? = nil, merge: MergeChange? = nil,
                erasure: ErasureChange? = nil, rewards: [RewardChange]? = nil, loyaltyRules: LoyaltyRulesChange? = nil,
                storeSettings: StoreSettingsChange? = nil) {
        self.position = position
        self.kind = kind
        self.profile = profile
        self.identifier = identifier
        self.ledgerEntry = ledgerEntry
        self.consent = consent
        self.merge = merge
        self.erasure = erasure
        self.rewards = rewards
        self.loyaltyRules = loyaltyRules
        self.storeSettings = storeSettings
    }
}

public struct ProfileChange: Codable, Sendable, Hashable {
    public var id: String
    public var firstName: String
    public var lastName: String?
    public var email: String?
    public var phone: String?
    public var language: String
    public var createdAt: String
    public var updatedAt: String

    public init(id: String, firstName: String, lastName: String?, email: String?, phone: String?, language: String,
                createdAt: String, updatedAt: String) {
        self.id = id
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.language = language
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct IdentifierChange: Codable, Sendable, Hashable {
    public var kind: String
    public var value: String
    public var profileId: String
    public var verified: Bool
    /// Base64, for companion-app device keys.
    public var publicKey: String?
    /// The card or device was revoked: taps with it must no longer identify anyone.
    public var revoked: Bool

    public init(kind: String, value: String, profileId: String, verified: Bool, publicKey: String?, revoked: Bool) {
        self.kind = kind
        self.value = value
        self.profileId = profileId
        self.verified = verified
        self.publicKey = publicKey
        self.revoked = revoked
    }
}

public struct LedgerEntryChange: Codable, Sendable, Hashable {
    public var id: String
    public var profileId: String
    public var delta: Int64
    public var reason: String
    public var reference: String?
    public var at: String
    public var expiresAt: String?

    public init(id: String, profileId: String, delta: Int64, reason: String, reference: String?, at: String, expiresAt: String?) {
        self.id = id
        self.profileId = profileId
        self.delta = delta
        self.reason = reason
        self.reference = reference
        self.at = at
        self.expiresAt = expiresAt
    }
}

public struct ConsentChange: Codable, Sendable, Hashable {
    public var id: String
    public var profileId: String
    public var purpose: String
    public var granted: Bool
    public var at: String

    public init(id: String, profileId: String, purpose: String, granted: Bool, at: String) {
        self.id = id
        self.profileId = profileId
        self.purpose = purpose
        self.granted = granted
        self.at = at
    }
}

public struct MergeChange: Codable, Sendable, Hashable {
    public var aliasId: String
    public var survivorId: String

    public init(aliasId: String, survivorId: String) {
        self.aliasId = aliasId
        self.survivorId = survivorId
    }
}

public struct ErasureChange: Codable, Sendable, Hashable {
    public var profileId: String
    public var at: String

    public init(profileId: String, at: String) {
        self.profileId = profileId
        self.at = at
    }
}

public struct RewardChange: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var cost: Int64
    public var active: Bool

    public init(id: String, name: String, cost: Int64, active: Bool) {
        self.id = id
        self.name = name
        self.cost = cost
        self.active = active
    }
}

/// The chain's earning rules, as `config/loyalty.json` spells them, without the rewards (those travel as the
/// reward catalog). Head office validates them before sending; the store validates them again on receipt.
public struct LoyaltyRulesChange: Codable, Sendable, Hashable {
    public struct Tier: Codable, Sendable, Hashable {
        public var name: String
        public var threshold: Int64

        public init(name: String, threshold: Int64) {
            self.name = name
            self.threshold = threshold
        }
    }

    public var currency: String
    public var pointsPerUnit: Double
    /// down, nearest or up.
    public var rounding: String
    public var signUpBonus: Int64
    public var visitBonus: Int64
    public var visitBonusCooldownHours: Int
    public var visitWindowMinutes: Int
    public var tierWindowMonths: Int
    public var tiers: [Tier]
    /// nil: earned points never expire.
    public var pointsExpiryMonths: Int?

    public init(currency: String, pointsPerUnit: Double, rounding: String, signUpBonus: Int64, visitBonus: Int64,
                visitBonusCooldownHours: Int, visitWindowMinutes: Int, tierWindowMonths: Int, tiers: [Tier],
                pointsExpiryMonths: Int?) {
        self.currency = currency
        self.pointsPerUnit = pointsPerUnit
        self.rounding = rounding
        self.signUpBonus = signUpBonus
        self.visitBonus = visitBonus
        self.visitBonusCooldownHours = visitBonusCooldownHours
        self.visitWindowMinutes = visitWindowMinutes
        self.tierWindowMonths = tierWindowMonths
        self.tiers = tiers
        self.pointsExpiryMonths = pointsExpiryMonths
    }

    /// Every key written, `pointsExpiryMonths` as an explicit null for "never", so the JSON reads back as a rules file.
    public func encode(to encoder: any Encoder) throws {
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
        try container.encode(pointsExpiryMonths, forKey: .pointsExpiryMonths)
    }
}

public struct StoreSettingsChange: Codable, Sendable, Hashable {
    /// How far below zero, in points, the store may take a customer's balance while it cannot reach head office.
    public var redemptionAllowance: Int64

    public init(redemptionAllowance: Int64) {
        self.redemptionAllowance = redemptionAllowance
    }
}
