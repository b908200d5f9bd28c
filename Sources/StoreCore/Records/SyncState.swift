import Foundation
import GRDB

/// The single row (id 1) that ties the file to its store and holds the sync cursors.
public struct SyncState: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "syncState"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: Int
    public var storeId: String
    /// Highest outbox sequence head office has acknowledged; sequences are never reused below it.
    public var acknowledgedSequence: Int64
    /// Opaque position in head office's stream of changes for this store.
    public var inboundCursor: String?
    public var updatedAt: Date
}
