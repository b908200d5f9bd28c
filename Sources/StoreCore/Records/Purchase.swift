import Foundation
import GRDB

/// One line of a receipt: `amountMinor` is the line total for `quantity` units.
public struct PurchaseLine: Codable, Sendable, Hashable {
    public var sku: String
    public var quantity: Int
    public var amountMinor: Int64

    public init(sku: String, quantity: Int, amountMinor: Int64) {
        self.sku = sku
        self.quantity = quantity
        self.amountMinor = amountMinor
    }
}

/// A till sale. `receiptId` is unique per store, which is what makes accrual idempotent.
public struct Purchase: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "purchase"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: String
    public var storeId: String
    public var tillDeviceId: String
    public var receiptId: String
    public var amountMinor: Int64
    /// ISO 4217 alpha-3.
    public var currency: String
    /// Stored as JSON text.
    public var lines: [PurchaseLine]?
    public var profileId: String?
    /// Points credited for this receipt (0 when anonymous); the ledger entry carries the same number.
    public var pointsEarned: Int64
    public var at: Date
}
