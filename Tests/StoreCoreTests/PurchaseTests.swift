import Foundation
import StoreCore
import Testing

@Suite("Purchases and refunds")
struct PurchaseTests {
    func purchase(_ receipt: String, _ amount: Int64, profile: String?, lines: [PurchaseLine]? = nil,
                  currency: String = "EUR", at: Date = t0 + hours(1)) -> PurchaseRequest {
        PurchaseRequest(receiptId: receipt, tillDeviceId: "till-1", amountMinor: amount, currency: currency,
                        lines: lines, profileId: profile, at: at)
    }

    @Test("a purchase earns points per unit; the same receipt twice earns once and returns the first result")
    func idempotentAccrual() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile()
        let first = try await store.database.recordPurchase(purchase("R-1", 1250, profile: ada))
        #expect(first.pointsEarned == 12)
        #expect(first.balance == 62)
        #expect(!first.isReplay)
        let second = try await store.database.recordPurchase(purchase("R-1", 1250, profile: ada))
        #expect(second.isReplay)
        #expect(second.purchase == first.purchase)
        #expect(second.pointsEarned == 12)
        #expect(try await store.database.balance(profileId: ada, at: t0 + hours(2)) == 62)
        let events = try await store.database.pendingOutboxEvents()
        #expect(events.filter { $0.type == .purchaseRecorded }.count == 1)
    }

    @Test("a reused receipt id with different content is refused")
    func receiptConflict() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile()
        _ = try await store.database.recordPurchase(purchase("R-1", 1250, profile: ada))
        let error = await #expect(throws: StoreError.self) {
            try await store.database.recordPurchase(purchase("R-1", 9999, profile: ada))
        }
        #expect(error?.code == .receiptConflict)
    }

    @Test("anonymous purchases are recorded and earn nothing")
    func anonymousPurchase() async throws {
        let store = try await TestStore()
        let outcome = try await store.database.recordPurchase(purchase("R-9", 5000, profile: nil))
        #expect(outcome.pointsEarned == 0)
        #expect(outcome.balance == nil)
        #expect(outcome.purchase.profileId == nil)
    }

    @Test("wrong input is refused with a message and changes nothing", arguments: [
        (Int64(-100), "EUR", "p", StoreError.Code.negativeAmount, "must not be negative"),
        (1000, "EURO", "p", .badCurrency, "ISO 4217"),
        (1000, "USD", "p", .currencyMismatch, "counts EUR"),
        (1000, "EUR", "unknown", .unknownProfile, "no profile"),
        (1000, "EUR", "not-a-uuid", .invalidArgument, "must be a UUID"),
        (1000, "EUR", "badlines", .invalidArgument, "lines add up to 5.00 EUR but the purchase amount is 10.00 EUR"),
    ])
    func invalidPurchases(amount: Int64, currency: String, profileCase: String, code: StoreError.Code, message: String) async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile()
        let before = try await store.database.pendingOutboxCount()
        let profile = switch profileCase {
        case "unknown": "0190a000-0000-7000-8000-000000000000"
        case "not-a-uuid": "ada"
        default: ada
        }
        let lines = profileCase == "badlines" ? [PurchaseLine(sku: "SKU-1", quantity: 1, amountMinor: 500)] : nil
        let error = await #expect(throws: StoreError.self) {
            try await store.database.recordPurchase(purchase("R-1", amount, profile: profile, lines: lines, currency: currency))
        }
        #expect(error?.code == code)
        #expect(error?.message.contains(message) == true, "got: \(error?.message ?? "nothing")")
        #expect(try await store.database.pendingOutboxCount() == before)
        #expect(try await store.database.balance(profileId: ada, at: t0 + hours(2)) == 50)
    }

    @Test("a refund by amount reverses points in proportion, cumulatively, never more than earned")
    func refundByAmount() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile()
        _ = try await store.database.recordPurchase(purchase("R-1", 10_000, profile: ada))  // 100 points
        let refund = { (id: String, amount: Int64) in
            try await store.database.refund(RefundRequest(refundReceiptId: id, purchaseReceiptId: "R-1", tillDeviceId: "till-1",
                                                          scope: .amount(amount), at: t0 + hours(2)))
        }
        let first = try await refund("F-1", 3_333)
        #expect(first.pointsReversed == 33)
        let second = try await refund("F-2", 3_333)
        #expect(second.pointsReversed == 33)  // floor(100 × 6666 / 10000) − 33
        let replay = try await refund("F-2", 3_333)
        #expect(replay.isReplay && replay.pointsReversed == 33)

        let tooMuch = await #expect(throws: StoreError.self) { try await refund("F-3", 3_335) }
        #expect(tooMuch?.code == .refundExceedsPurchase)
        #expect(tooMuch?.message == "refund of 33.35 EUR exceeds the 33.34 EUR left to refund on receipt R-1")

        let last = try await refund("F-3", 3_334)
        #expect(last.pointsReversed == 34)
        #expect(first.pointsReversed + second.pointsReversed + last.pointsReversed == 100)
        #expect(try await store.database.balance(profileId: ada, at: t0 + hours(3)) == 50)
        #expect(try await store.database.check().isConsistent)
    }

    @Test("a refund by lines refunds each line's share and tracks quantities")
    func refundByLines() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile()
        let lines = [PurchaseLine(sku: "MUG", quantity: 3, amountMinor: 1000), PurchaseLine(sku: "TEA", quantity: 1, amountMinor: 2000)]
        _ = try await store.database.recordPurchase(purchase("R-1", 3000, profile: ada, lines: lines))  // 30 points
        let refund = { (id: String, refundLines: [RefundLine]) in
            try await store.database.refund(RefundRequest(refundReceiptId: id, purchaseReceiptId: "R-1", tillDeviceId: "till-1",
                                                          scope: .lines(refundLines), at: t0 + hours(2)))
        }
        let oneMug = try await refund("F-1", [RefundLine(line: 0, quantity: 1)])
        #expect(oneMug.refund.amountMinor == 333)
        #expect(oneMug.pointsReversed == 3)
        let twoMugs = try await refund("F-2", [RefundLine(line: 0, quantity: 2)])
        #expect(twoMugs.refund.amountMinor == 667)  // the three mugs together refund exactly 10.00
        let fourth = await #expect(throws: StoreError.self) { try await refund("F-3", [RefundLine(line: 0, quantity: 1)]) }
        #expect(fourth?.code == .refundExceedsPurchase)
        let badLine = await #expect(throws: StoreError.self) { try await refund("F-3", [RefundLine(line: 5, quantity: 1)]) }
        #expect(badLine?.code == .invalidArgument)
        let tea = try await refund("F-3", [RefundLine(line: 1, quantity: 1)])
        #expect(oneMug.pointsReversed + twoMugs.pointsReversed + tea.pointsReversed == 30)
    }

    @Test("points already spent are still taken back on refund; the balance goes negative and blocks redemption")
    func refundAfterRedemption() async throws {
        let store = try await TestStore()
        let ada = try await store.database.signUpTestProfile()
        _ = try await store.database.recordPurchase(purchase("R-1", 10_000, profile: ada))  // 50 + 100
        _ = try await store.database.redeem(profileId: ada, rewardId: "coffee", deviceId: "till-1", at: t0 + hours(2))
        let refund = try await store.database.refund(RefundRequest(refundReceiptId: "F-1", purchaseReceiptId: "R-1",
                                                                   tillDeviceId: "till-1", scope: .amount(10_000), at: t0 + hours(3)))
        #expect(refund.pointsReversed == 100)
        #expect(refund.balance == -50)
        let error = await #expect(throws: StoreError.self) {
            try await store.database.redeem(profileId: ada, rewardId: "coffee", deviceId: "till-1", at: t0 + hours(4))
        }
        #expect(error?.message == "balance -50 < cost 100 of Free coffee")
    }

    @Test("refunds of an unknown receipt are refused")
    func unknownReceipt() async throws {
        let store = try await TestStore()
        let error = await #expect(throws: StoreError.self) {
            try await store.database.refund(RefundRequest(refundReceiptId: "F-1", purchaseReceiptId: "nope", tillDeviceId: "till-1",
                                                          scope: .amount(100)))
        }
        #expect(error?.code == .unknownPurchase)
    }
}
