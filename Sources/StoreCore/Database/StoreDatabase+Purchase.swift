import Foundation
import GRDB

/// A sale as the till reports it.
public struct PurchaseRequest: Sendable, Hashable {
    /// Unique per store: sending the same receipt again is answered with the first result.
    public var receiptId: String
    public var tillDeviceId: String
    public var amountMinor: Int64
    public var currency: String
    /// Optional detail; when given, the line amounts must add up to `amountMinor`.
    public var lines: [PurchaseLine]?
    /// nil for an anonymous sale (recorded, earns nothing).
    public var profileId: String?
    public var at: Date

    public init(receiptId: String, tillDeviceId: String, amountMinor: Int64, currency: String,
                lines: [PurchaseLine]? = nil, profileId: String? = nil, at: Date = Date()) {
        self.receiptId = receiptId
        self.tillDeviceId = tillDeviceId
        self.amountMinor = amountMinor
        self.currency = currency
        self.lines = lines
        self.profileId = profileId
        self.at = at
    }
}

public struct PurchaseOutcome: Sendable, Hashable, Codable {
    public var purchase: Purchase
    public var pointsEarned: Int64
    /// The profile's balance after the purchase (nil when anonymous).
    public var balance: Int64?
    public var tier: String?
    /// True when the receipt had already been recorded: nothing was written this time.
    public var isReplay: Bool
}

extension StoreDatabase {
    /// Records a sale and credits its points, once per receipt.
    ///
    /// - Throws: `negativeAmount`, `badCurrency`, `currencyMismatch` (not the programme's currency),
    ///   `invalidArgument` (lines that do not add up), `unknownProfile`/`profileErased`, and `receiptConflict` when
    ///   the receipt id was already used for a different sale.
    public func recordPurchase(_ request: PurchaseRequest) async throws -> PurchaseOutcome {
        let receiptId = try TextField.token(request.receiptId, field: "receiptId")
        let tillDeviceId = try TextField.token(request.tillDeviceId, field: "tillDeviceId")
        guard request.amountMinor >= 0 else {
            throw StoreError(.negativeAmount, "purchase amount must not be negative, got \(request.amountMinor) minor units")
        }
        let currency = try CurrencyCode(request.currency)
        guard currency == rules.currency else {
            throw StoreError(.currencyMismatch, "purchase is in \(currency.code) but this store's loyalty programme counts \(rules.currency.code)")
        }
        let lines = try request.lines.map { try Self.validated(lines: $0, total: request.amountMinor, currency: currency) }
        let profileId = try request.profileId.map { try RecordID.normalized($0, what: "profileId") }
        let points = profileId == nil ? 0 : try rules.points(forAmountMinor: request.amountMinor)
        let at = request.at.storeTruncated

        return try await write { db in
            if let existing = try Purchase.fetchOne(db.cachedStatement(sql: "SELECT * FROM purchase WHERE storeId = ? AND receiptId = ?"),
                                                    arguments: [self.storeId, receiptId]) {
                guard existing.amountMinor == request.amountMinor, existing.currency == currency.code,
                      existing.profileId == profileId, existing.lines == lines else {
                    throw StoreError(.receiptConflict,
                                     "receipt \(receiptId) was already recorded with a different amount, customer or lines")
                }
                let standing = try existing.profileId.map { try self.standing(db, profileId: $0, asOf: at) }
                return PurchaseOutcome(purchase: existing, pointsEarned: existing.pointsEarned, balance: standing?.balance,
                                       tier: standing?.tier, isReplay: true)
            }
            let profile = try profileId.map { try Self.liveProfile(db, id: $0) }
            let purchase = Purchase(id: UUIDv7.string(at: at), storeId: self.storeId, tillDeviceId: tillDeviceId,
                                    receiptId: receiptId, amountMinor: request.amountMinor, currency: currency.code,
                                    lines: lines, profileId: profile?.id, pointsEarned: points, at: at)
            try purchase.insertRow(db)
            try db.appendOutboxEvent(.purchaseRecorded, storeId: self.storeId, payload: purchase, at: at)
            guard let profile else {
                return PurchaseOutcome(purchase: purchase, pointsEarned: 0, balance: nil, tier: nil, isReplay: false)
            }
            if points > 0 {
                try PointsLedger.append(db, profileId: profile.id, delta: points, reason: .purchase, reference: purchase.id,
                                        at: at, expiresAt: self.rules.expiry(ofPointsEarnedAt: at), storeId: self.storeId)
            }
            let standing = try self.settleStanding(db, profile: profile, asOf: at)
            return PurchaseOutcome(purchase: purchase, pointsEarned: points, balance: standing.balance,
                                   tier: standing.tier, isReplay: false)
        }
    }

    private static func validated(lines: [PurchaseLine], total: Int64, currency: CurrencyCode) throws -> [PurchaseLine] {
        guard lines.count <= 1000 else {
            throw StoreError(.invalidArgument, "a receipt may have at most 1000 lines, got \(lines.count)")
        }
        var sum: Int64 = 0
        var checked: [PurchaseLine] = []
        for (index, line) in lines.enumerated() {
            let sku = try TextField.token(line.sku, field: "lines[\(index)].sku")
            guard line.quantity > 0, line.quantity <= 1_000_000 else {
                throw StoreError(.invalidArgument, "lines[\(index)].quantity must be between 1 and 1000000, got \(line.quantity)")
            }
            guard line.amountMinor >= 0 else {
                throw StoreError(.negativeAmount, "lines[\(index)].amountMinor must not be negative, got \(line.amountMinor)")
            }
            let (next, overflow) = sum.addingReportingOverflow(line.amountMinor)
            guard !overflow else { throw StoreError(.invalidArgument, "line amounts add up to more than can be counted") }
            sum = next
            checked.append(PurchaseLine(sku: sku, quantity: line.quantity, amountMinor: line.amountMinor))
        }
        guard sum == total else {
            throw StoreError(.invalidArgument,
                             "lines add up to \(currency.format(minorUnits: sum)) \(currency.code) but the purchase amount is \(currency.format(minorUnits: total)) \(currency.code)")
        }
        return checked
    }
}
