import Foundation
import GRDB

/// A Net Promoter answer from a kiosk: 0–10 (a CHECK constraint refuses anything else), optional comment.
public struct Feedback: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "feedback"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: String
    public var storeId: String
    public var score: Int
    public var comment: String?
    public var language: String
    public var kioskDeviceId: String
    public var profileId: String?
    public var at: Date
}
