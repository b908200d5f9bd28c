import Foundation
import GRDB

/// One consent decision. Rows are only ever appended; the current state of a purpose is its latest row.
public struct Consent: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "consent"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: String
    public var profileId: String
    public var purpose: ConsentPurpose
    public var granted: Bool
    public var at: Date
    public var source: RecordOrigin
}
