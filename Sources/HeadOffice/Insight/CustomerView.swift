import Foundation

/// Everything head office knows about one person, for the 360° page: the survivor answers for its aliases.
public struct CustomerView: Sendable, Codable {
    public struct Profile: Sendable, Codable {
        public var firstName: String?
        public var lastName: String?
        public var email: String?
        public var phone: String?
        public var language: String?
        public var createdAt: Date
        public var origin: String
        public var originStoreId: String?
        public var ecommerceId: String?
        public var erased: Bool
    }

    public struct Identifier: Sendable, Codable {
        public var kind: String
        /// Payment tokens and PARs show only their last four characters.
        public var maskedValue: String
        public var verified: Bool
        public var revoked: Bool
        public var firstSeenAt: Date
        public var firstStoreId: String?
    }

    public struct Consent: Sendable, Codable {
        public var purpose: String
        public var granted: Bool
        public var at: Date
        public var source: String
    }

    public struct LedgerLine: Sendable, Codable {
        public var at: Date
        public var delta: Int
        public var reason: String
        public var storeId: String?
    }

    public struct Redemption: Sendable, Codable {
        public var at: Date
        public var rewardId: String
        public var cost: Int
        public var storeId: String
        public var overdraft: Int?
    }

    public struct Loyalty: Sendable, Codable {
        public var balance: Int
        /// nil while head office does not set the chain's loyalty rules: each store then ranks by its own file.
        public var tier: Tier?
        public var ledger: [LedgerLine]
        public var redemptions: [Redemption]
    }

    public struct Segment: Sendable, Codable {
        public var name: String
        public var r: Int
        public var f: Int
        public var m: Int
        public var churnRisk: Bool
    }

    public struct Alias: Sendable, Codable {
        public var id: UUID
        public var mergedAt: Date
        public var identifierKind: String
        public var source: String
    }

    public struct Touchpoint: Sendable, Codable {
        public var at: Date
        /// store, web or email.
        public var channel: String
        /// storeVisit, purchase, refund, feedback, signUp, cardIssue, identifierAdded, merge, webVisit, onlineOrder,
        /// emailClick, redemption, consent.
        public var kind: String
        /// The store's name, "web", or nil.
        public var place: String?
        public var storeId: String?
        public var deviceId: String?
        public var summary: String
    }

    public var id: UUID
    public var requestedId: UUID
    public var profile: Profile
    public var identifiers: [Identifier]
    public var consents: [Consent]
    public var currentConsents: [String: Bool]
    public var loyalty: Loyalty
    public var segment: Segment?
    public var aliases: [Alias]
    /// Oldest first: the latest `timelineLimit` touchpoints before `before`.
    public var timeline: [Touchpoint]
    /// True when older touchpoints exist than the first one here (ask again with `before` = its time).
    public var timelineTruncated: Bool
}

public struct CustomerMatch: Sendable, Codable, Hashable {
    public var id: UUID
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var segment: String?
}
