import Foundation
import GRDB

/// One presence of one person (or one anonymous identifier) at a store. Repeated taps within the visit window
/// fold into the same visit.
public struct Visit: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "visit"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: String
    public var storeId: String
    public var deviceId: String
    public var reader: String
    /// The strongest identifier presented in the tap that opened the visit.
    public var identifierId: String
    public var profileId: String?
    public var at: Date
}
