import GRDB

/// A reward of the catalog. Rows come from the loyalty rules and are kept (inactive) when the rules drop them, so
/// past redemptions still point somewhere.
public struct Reward: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "reward"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

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

