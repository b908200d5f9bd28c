import Foundation
import GRDB

/// A reward given against points. `cost` is the price at the time, which the ledger entry debits.
public struct Redemption: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "redemption"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: String
    public var storeId: String
    public var profileId: String
    public var rewardId: String
    public var cost: Int64
    public var deviceId: String
    public var at: Date
}
