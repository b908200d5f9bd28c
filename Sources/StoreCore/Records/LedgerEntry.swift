import Foundation
import GRDB

/// One points movement. The table is append-only (triggers refuse UPDATE and DELETE) and a profile's balance is
/// the sum of its entries: it is never stored anywhere else.
public struct LedgerEntry: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "ledgerEntry"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: String
    public var profileId: String
    public var delta: Int64
    public var reason: LedgerReason
    /// The id of what caused it: a purchase, refund, visit, redemption or profile id.
    public var reference: String?
    public var at: Date
    /// For credits: when the unspent part of these points expires (nil: never).
    public var expiresAt: Date?
}
