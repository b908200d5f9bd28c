import Foundation
import GRDB

/// A tap whose identifiers pointed at different profiles. Holds ids and kinds only, never identifier values or
/// personal data, so it can be shown to staff and sent to head office for a human decision.
public struct IdentityConflict: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "identityConflict"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: String
    public var visitId: String
    /// The profile the tap was attributed to (the one of the strongest identifier).
    public var chosenProfileId: String
    public var chosenKind: IdentifierKind
    /// The other profiles, with the kind that pointed at each, as JSON.
    public var others: [ConflictingMatch]
    public var at: Date
}

public struct ConflictingMatch: Codable, Sendable, Hashable {
    public var profileId: String
    public var kind: IdentifierKind

    public init(profileId: String, kind: IdentifierKind) {
        self.profileId = profileId
        self.kind = kind
    }
}
