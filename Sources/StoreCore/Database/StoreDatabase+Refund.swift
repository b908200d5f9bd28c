import Foundation
import GRDB

public struct RefundRequest: Sendable, Hashable {
    public enum Scope: Sendable, Hashable {
        /// Part of the receipt's amount, in minor units.
        case amount(Int64)
        /// Units of given lines of the receipt.
        case lines([RefundLine])
    }

    /// Unique per store: a retried refund is applied once.
    public var refundReceiptId: String
    /// The receipt of the purchase being refunded.
    public var purchaseReceiptId: String
    public var tillDeviceId: String
    public var scope: Scope
    public var at: Date

    public init(refundReceiptId: String, purchaseReceiptId: String, tillDeviceId: String, scope: Scope, at: Date = Date()) {
        self.refundReceiptId = refundReceiptId
        self.purchaseReceiptId = purchaseReceiptId
        self.tillDeviceId = tillDeviceId
        self.scope = scope
        self.at = at
    }
}

public struct RefundOutcome: Sendable, Hashable, Codable {
    public var refund: Refund
    public var pointsReversed: Int64
    public var balance: Int64?
    public var isReplay: Bool
}

extension StoreDatabase {
    /// Records a refund and takes back the points the refunded part earned.
    ///
    /// Points are reversed in proportion to the amount, cumulatively over all refunds of the receipt
    /// (`earned × refunded so far ÷ amount`, rounded down), so partial refunds never take back more than was
    /// earned and a full refund takes back exactly what was earned. Points already spent are still taken back:
    /// the balance may go negative, and redemptions are refused until it recovers.
    ///
    /// - Throws: `unknownPurchase`, `refundExceedsPurchase` (amount or quantity beyond what is left), `receiptConflict`
    ///   (refund id reused for something else), `invalidArgument`.
    public func refund(_ request: RefundRequest) async throws -> RefundOutcome {
        let refundReceiptId = try TextField.token(request.refundReceiptId, field: "refundReceiptId")
        let purchaseReceiptId = try TextField.token(request.purchaseReceiptId, field: "purchaseReceiptId")
        let tillDeviceId = try TextField.token(request.tillDeviceId, field: "tillDeviceId")
        let at = request.at.storeTruncated
        switch request.scope {
        case .amount(let amount):
            guard amount > 0 else {
                throw StoreError(amount < 0 ? .negativeAmount : .invalidArgument, "refund amount must be > 0, got \(amount) minor units")
            }
        case .lines(let lines):
            guard !lines.isEmpty, lines.count <= 1000 else {
                throw StoreError(.invalidArgument, "a refund by lines needs 1–1000 lines, got \(lines.count)")
            }
        }

        return try await write { db in
            guard let purchase = try Purchase.filter(Column("storeId") == self.storeId && Column("receiptId") == purchaseReceiptId).fetchOne(db) else {
                throw StoreError(.unknownPurchase, "no purchase with receipt \(purchaseReceiptId) in store \(self.storeId)")
            }
            let currency = try CurrencyCode(purchase.currency)
            let previous = try Refund.filter(Column("purchaseId") == purchase.id).fetchAll(db)
            if let existing = try Refund.filter(Column("storeId") == self.storeId && Column("refundReceiptId") == refundReceiptId).fetchOne(db) {
                let sameScope: Bool
                switch request.scope {
                case .amount(let amount): sameScope = existing.lines == nil && existing.amountMinor == amount
                case .lines(let lines): sameScope = existing.lines == lines
                }
                guard existing.purchaseId == purchase.id, sameScope else {
                    throw StoreError(.receiptConflict, "refund \(refundReceiptId) was already recorded for a different receipt or amount")
                }
                let balance = try purchase.profileId.map { try PointsLedger.balance(db, profileId: $0, asOf: at) }
                return RefundOutcome(refund: existing, pointsReversed: existing.pointsReversed, balance: balance, isReplay: true)
            }

            let alreadyRefunded = previous.reduce(Int64(0)) { $0 + $1.amountMinor }
            let left = purchase.amountMinor - alreadyRefunded
            let amount: Int64
            var refundLines: [RefundLine]?
            switch request.scope {
            case .amount(let requested):
                amount = requested
            case .lines(let lines):
                amount = try Self.amount(refunding: lines, of: purchase, previous: previous)
                refundLines = lines
            }
            guard amount <= left else {
                throw StoreError(.refundExceedsPurchase,
                                 "refund of \(currency.format(minorUnits: amount)) \(currency.code) exceeds the \(currency.format(minorUnits: left)) \(currency.code) left to refund on receipt \(purchaseReceiptId)")
            }
            guard amount > 0 else {
                throw StoreError(.invalidArgument, "the refunded lines are worth nothing; record nothing instead")
            }

            let alreadyReversed = previous.reduce(Int64(0)) { $0 + $1.pointsReversed }
            var reversed: Int64 = 0
            if purchase.amountMinor > 0, purchase.pointsEarned > 0 {
                let cumulative = Int128(purchase.pointsEarned) * Int128(alreadyRefunded + amount) / Int128(purchase.amountMinor)
                reversed = max(0, min(Int64(cumulative), purchase.pointsEarned) - alreadyReversed)
            }
            let refund = Refund(id: UUIDv7.string(at: at), storeId: self.storeId, purchaseId: purchase.id,
                                refundReceiptId: refundReceiptId, tillDeviceId: tillDeviceId, amountMinor: amount,
                                lines: refundLines, pointsReversed: reversed, at: at)
            try refund.insert(db)
            try db.appendOutboxEvent(.refundRecorded, storeId: self.storeId, payload: refund, at: at)
            guard let profileId = purchase.profileId else {
                return RefundOutcome(refund: refund, pointsReversed: 0, balance: nil, isReplay: false)
            }
            if reversed > 0 {
                try PointsLedger.append(db, profileId: profileId, delta: -reversed, reason: .refund, reference: refund.id,
                                        at: at, expiresAt: nil, storeId: self.storeId)
            }
            let balance: Int64
            if let profile = try Profile.fetchOne(db, key: profileId), !profile.isErased {
                balance = try self.settleStanding(db, profile: profile, asOf: at).balance
            } else {
                balance = try PointsLedger.ledgerSum(db, profileId: profileId)
            }
            return RefundOutcome(refund: refund, pointsReversed: reversed, balance: balance, isReplay: false)
        }
    }

    /// The amount of `lines`, each line's share computed cumulatively so that refunding every unit of a line,
    /// in any number of steps, refunds exactly the line's amount.
    private static func amount(refunding lines: [RefundLine], of purchase: Purchase, previous: [Refund]) throws -> Int64 {
        guard let purchaseLines = purchase.lines else {
            throw StoreError(.invalidArgument, "receipt \(purchase.receiptId) was recorded without lines: refund an amount instead")
        }
        var refundedUnits = [Int: Int]()
        for refund in previous {
            for line in refund.lines ?? [] { refundedUnits[line.line, default: 0] += line.quantity }
        }
        var total: Int64 = 0
        var seen = Set<Int>()
        for (position, line) in lines.enumerated() {
            guard purchaseLines.indices.contains(line.line) else {
                throw StoreError(.invalidArgument, "refund line \(position) names line \(line.line), but the receipt has lines 0–\(purchaseLines.count - 1)")
            }
            guard seen.insert(line.line).inserted else {
                throw StoreError(.invalidArgument, "refund names receipt line \(line.line) twice")
            }
            let bought = purchaseLines[line.line]
            let before = refundedUnits[line.line] ?? 0
            guard line.quantity > 0 else {
                throw StoreError(.invalidArgument, "refund line \(position) quantity must be > 0, got \(line.quantity)")
            }
            guard line.quantity <= bought.quantity - before else {
                throw StoreError(.refundExceedsPurchase,
                                 "refund of \(line.quantity) × \(bought.sku) exceeds the \(bought.quantity - before) left on line \(line.line)")
            }
            let upTo = Int128(bought.amountMinor) * Int128(before + line.quantity) / Int128(bought.quantity)
            let upToBefore = Int128(bought.amountMinor) * Int128(before) / Int128(bought.quantity)
            total += Int64(upTo - upToBefore)
        }
        return total
    }
}
