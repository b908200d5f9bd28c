import Foundation
import GRDB

/// A known customer. Personal fields are blanked (not deleted) on erasure so that the ledger stays whole.
public struct Profile: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "profile"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: String
    public var firstName: String
    public var lastName: String?
    /// Normalized as described on ``EmailAddress``.
    public var email: String?
    /// E.164.
    public var phone: String?
    /// BCP 47 tag, e.g. "fr" or "en-GB".
    public var language: String
    /// The tier as of the last points movement; ``StoreDatabase/profile(id:)`` recomputes it for the rolling window.
    public var tier: String
    public var createdAt: Date
    public var updatedAt: Date
    public var origin: RecordOrigin
    public var erasedAt: Date?

    public var isErased: Bool { erasedAt != nil }
}
