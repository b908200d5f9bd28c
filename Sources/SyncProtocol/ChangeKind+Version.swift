extension Change.Kind {
    /// The protocol version that added the kind: head office sends a store only the kinds its version knows.
    ///
    /// Version 1 is what the first release of the contract shipped (the feed of profiles, identifiers, ledger
    /// entries, consents, merges, erasures and the reward catalog). `loyaltyRules` and `storeSettings` came later,
    /// with the store schema's v5 that stores them: a store of the release before cannot decode them (the kind
    /// is a closed list in its copy of this file), so they are version 2.
    public var introducedIn: Int {
        switch self {
        case .profile, .identifier, .ledgerEntry, .consent, .merge, .erasure, .rewardCatalog: 1
        case .loyaltyRules, .storeSettings: 2
        }
    }

    /// A whole-state kind replaces everything the store had of it, so only its latest change matters: a store
    /// that skipped some while on an older version is caught up by the latest one alone. Every kind added after
    /// version 1 must be whole-state (``Change/Kind/newerKindsAreWholeState`` is checked by the tests), or head
    /// office would need the whole history to catch a store up.
    public var isWholeState: Bool {
        switch self {
        case .rewardCatalog, .loyaltyRules, .storeSettings: true
        case .profile, .identifier, .ledgerEntry, .consent, .merge, .erasure: false
        }
    }

    /// The kinds a store speaking `version` understands.
    public static func known(atVersion version: Int) -> [Change.Kind] {
        allCases.filter { $0.introducedIn <= version }
    }

    public static var newerKindsAreWholeState: Bool {
        allCases.allSatisfy { $0.introducedIn == 1 || $0.isWholeState }
    }
}
