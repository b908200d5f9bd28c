import Foundation
import GRDB

/// Goods returned against a purchase, by line (`lines`) or by amount. `refundReceiptId` is unique per store, so a
/// retried refund is applied once.
public struct Refund: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "refund"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: String
    public var storeId: String
    public var purchaseId: String
    public var refundReceiptId: String
    public var tillDeviceId: String
    public var amountMinor: Int64
    public var lines: [RefundLine]?
    /// Points taken back for this refund; over all refunds of a purchase never more than it earned.
    public var pointsReversed: Int64
    public var at: Date
}

/// Returns `quantity` units of the purchase line at index `line` (0-based, in the receipt's order).
public struct RefundLine: Codable, Sendable, Hashable {
    public var line: Int
    public var quantity: Int

    public init(line: Int, quantity: Int) {
        self.line = line
        self.quantity = quantity
    }
}
