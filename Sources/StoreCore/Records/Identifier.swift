import Foundation
import GRDB

/// Something that points at a person: a card, a tag, a phone, an email. `(kind, value)` is unique.
///
/// `profileId` is nil while the identifier is anonymous; sign-up (or a later binding) fills it in and the visits
/// recorded with it join the profile.
public struct Identifier: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "identifier"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: String
    public var kind: IdentifierKind
    public var value: String
    public var profileId: String?
    /// The enrolled public key of an `appDevice` (raw bytes as the app sent them).
    public var publicKey: Data?
    /// Proven by cryptography at the reader, or confirmed by a person; bare UIDs and typed emails start unverified.
    public var verified: Bool
    /// Highest SUN read counter accepted for a `sunTag`; a tap with a counter not above it is a replay.
    public var sunCounter: Int64?
    public var createdAt: Date
}
