import ChainSimulator
import Foundation
import HeadOffice
import StoreCore
import SyncProtocol

/// A small chain with the report edge cases in it, written through the real write paths and synced over HTTP:
/// Paris (region north) with every kind of tap, sign-ups at the kiosk and the till, mixed feedback and a redemption;
/// Lyon (region south) whose feedback is all detractors; Lille (north) with no feedback at all. Customers shop
/// online too; two profiles merge on a bank card after their visits were counted; one customer is erased.
enum InsightChain {
    static let start = try! Date("2026-11-02T08:00:00Z", strategy: .iso8601)  // a Monday
    static let days = 16

    struct Built {
        var stores: [TestStore]
        /// Marie and the Lille customer holding her bank card merged: the older profile survived.
        var survivorId: String
        var aliasId: String
        var erasedId: String
        var onlineOnlyId: UUID
    }

    /// Deterministic: the same rows on every run.
    static func build(_ hq: HeadOfficeDatabase, url: URL) async throws -> Built {
        let paris = try await TestStore.make("paris", headOffice: hq, url: url, region: "north")
        let lyon = try await TestStore.make("lyon", headOffice: hq, url: url, region: "south")
        let lille = try await TestStore.make("lille", headOffice: hq, url: url, batchSize: 7, region: "north")
        var random = SeededRandom(seed: 7)
        var customers: [String: [(id: String, card: String)]] = [:]
        var receipt = 0

        for day in 0..<days {
            let morning = start.addingTimeInterval(Double(day) * 86_400)
            for (index, store) in [paris, lyon, lille].enumerated() {
                var at = morning.addingTimeInterval(Double(index) * 600)
                func next() -> Date { at = at.addingTimeInterval(Double(2_400 + random.below(1_200))); return at }
                // Someone new taps a bank card; every other one signs up right after (the tap converts).
                let token = "ptok-\(store.id)-\(day)"
                _ = try await store.tap(TapIdentifiers(paymentToken: token), at: next())
                if day % 2 == 0 {
                    let origin: RecordOrigin = day % 6 == 4 ? .till : .kiosk
                    let outcome = try await store.database.signUp(SignUpRequest(
                        firstName: "C\(store.id)\(day)", email: "c.\(store.id).\(day)@example.com", language: "fr",
                        consents: [.marketingEmail: day % 4 == 0], identifiers: TapIdentifiers(paymentToken: token),
                        origin: origin, at: at.addingTimeInterval(30)))
                    customers[store.id, default: []].append((outcome.profile.id, token))
                }
                // A stranger's transport card, never claimed.
                _ = try await store.tap(TapIdentifiers(cardUID: "04A1\(String(format: "%02X%02X", index, day))"), at: next())
                // Known customers come back, some twice the same day (two visits: outside the visit window).
                for customer in (customers[store.id] ?? []).prefix(3) where random.below(3) > 0 {
                    _ = try await store.tap(TapIdentifiers(paymentToken: customer.card), at: next())
                    receipt += 1
                    _ = try await store.database.recordPurchase(PurchaseRequest(
                        receiptId: "R-\(receipt)", tillDeviceId: "till-\(store.id)", amountMinor: Int64(1_000 + random.below(9_000)),
                        currency: "EUR", profileId: customer.id, at: at.addingTimeInterval(120)))
                    if random.below(4) == 0 { _ = try await store.tap(TapIdentifiers(paymentToken: customer.card), at: next()) }
                }
                // Feedback: Paris mixed, Lyon only detractors, Lille none.
                if store.id == "paris" {
                    let score = [10, 9, 8, 7, 3, 9, 10][day % 7]
                    _ = try await store.database.recordFeedback(score: score, comment: day % 3 == 0 ? "Accueil \(day)" : nil,
                                                                language: "fr", kioskDeviceId: "kiosk-paris",
                                                                profileId: customers["paris"]?.first?.id, at: next())
                } else if store.id == "lyon" {
                    _ = try await store.database.recordFeedback(score: day % 7, comment: "Trop d'attente \(day)", language: "fr",
                                                                kioskDeviceId: "kiosk-lyon", at: next())
                }
            }
        }
        // Paris: the first customer spends points.
        if let first = customers["paris"]?.first {
            _ = try? await paris.database.redeem(profileId: first.id, rewardId: "tote-bag", deviceId: "till-paris",
                                                 at: start.addingTimeInterval(Double(days) * 86_400 - 3_600))
        }
        for store in [paris, lyon, lille] { try await store.sync() }

        // Online: Paris's second customer also shops on the web (same bank card as loyalty proof via the shop's
        // card-on-file PAR is not what she has, so the shop knows her loyalty card: the bank token is her card here).
        let marie = try require(customers["paris"]?[1])
        let onlineDays = [1, 3, 8]
        _ = try await hq.applyDigitalProfiles([(line: 0, input: DigitalProfileInput(
            ecommerceId: "W-1", email: "marie.online@example.com", emailVerified: true, firstName: "Marie",
            consents: [DigitalConsent(purpose: .marketingEmail, granted: true, at: start)],
            touchpoints: onlineDays.map { DigitalTouchpoint(kind: .webVisit, at: start.addingTimeInterval(Double($0) * 86_400 + 7_200)) }
                + [DigitalTouchpoint(kind: .onlineOrder, at: start.addingTimeInterval(9 * 86_400),
                                     detail: .init(amountMinor: 4_599, currency: "EUR", orderId: "WO-1"))]))], source: "test")
        let online = try await hq.applyDigitalProfiles([(line: 0, input: DigitalProfileInput(
            ecommerceId: "W-2", email: "only.online@example.com", emailVerified: true, firstName: "Ona",
            touchpoints: [DigitalTouchpoint(kind: .emailClick, at: start.addingTimeInterval(2 * 86_400), detail: .init(campaign: "nov"))]))],
            source: "test")
        let onlineOnlyId = try require(online.results.first?.profileId)
        // Her web profile and her store profile become one on a verified shared identifier: the e-commerce id's
        // verified email is bound to her store profile by the till (staff checked it).
        _ = try await paris.database.bindIdentifier(kind: .email, value: "marie.online@example.com", profileId: marie.id,
                                                    verified: true, at: start.addingTimeInterval(10 * 86_400))

        // A Lille customer turns out to hold a Paris customer's bank card: Paris binds it, the two profiles merge
        // after both had visits counted.
        let twin = try require(customers["lille"]?.first)
        _ = try await paris.database.bindIdentifier(kind: .paymentToken, value: twin.card, profileId: marie.id, verified: true,
                                                    at: start.addingTimeInterval(11 * 86_400))
        for store in [paris, lyon, lille] { try await store.sync() }

        // A Lyon customer asks to be forgotten.
        let erased = try require(customers["lyon"]?.first)
        _ = try await hq.eraseCustomer(id: try require(UUID(uuidString: erased.id)), source: "test")
        for store in [paris, lyon, lille] {
            try await store.sync()
            try await store.sync()
        }
        let pair = "('\(marie.id)', '\(twin.id)')"
        let survivor = try require(try await hq.strings("SELECT DISTINCT survivor_id::text FROM profile_alias WHERE alias_id IN \(pair)").first,
                                   "a merge of Marie and the Lille twin")
        let alias = survivor == marie.id ? twin.id : marie.id
        return Built(stores: [paris, lyon, lille], survivorId: survivor, aliasId: alias, erasedId: erased.id, onlineOnlyId: onlineOnlyId)
    }
}

func require<T>(_ value: T?, _ what: String = "value") throws -> T {
    guard let value else { throw HarnessError("missing \(what)") }
    return value
}
