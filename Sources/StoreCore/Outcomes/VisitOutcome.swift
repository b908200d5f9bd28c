import Foundation

/// What the kiosk needs to greet a known customer.
public struct Greeting: Sendable, Hashable, Codable {
    public var profileId: String
    public var firstName: String
    public var language: String
    public var points: Int64
    public var tier: String
    /// Active rewards whose cost is within the balance, cheapest first.
    public var affordableRewards: [Reward]
}

/// The result of ``StoreDatabase/recordTap(_:)``.
public struct VisitOutcome: Sendable, Hashable, Codable {
    /// The visit this tap belongs to: a new one, or the one opened by an earlier tap within the visit window.
    public var visit: Visit
    public var isNewVisit: Bool
    /// nil when no presented identifier belongs to a profile: the visit is anonymous and keeps the identifier so
    /// that a sign-up can claim it.
    public var greeting: Greeting?
    /// The kind of identifier the profile was recognized by.
    public var recognizedBy: IdentifierKind?
    /// Points granted for this visit (0 outside the cooldown, for anonymous visits and repeated taps).
    public var visitBonus: Int64
    /// Set when identifiers of this tap pointed at different profiles; the strongest won.
    public var conflict: IdentityConflict?
    /// Proofs shown but not believed, e.g. a SUN tag whose counter did not grow (a copied URL).
    public var rejectedProofs: [IdentifierKind]

    public var isAnonymous: Bool { greeting == nil }
}
