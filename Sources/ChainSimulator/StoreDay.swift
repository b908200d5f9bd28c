import Foundation
import StoreCore

/// What the simulation did, for its summary line.
public struct TrafficCounts: Sendable, Hashable {
    public var taps = 0, signUps = 0, purchases = 0, refunds = 0, redemptions = 0, feedback = 0

    mutating func add(_ other: TrafficCounts) {
        taps += other.taps
        signUps += other.signUps
        purchases += other.purchases
        refunds += other.refunds
        redemptions += other.redemptions
        feedback += other.feedback
    }
}

/// One store's opening day (09:00–19:30 UTC): who comes, in time order, and what each of them does at the kiosk
/// and the till. Everything goes through the store's own write paths.
struct StoreDay {
    let store: OpenStore
    let storeIndex: Int
    let storeCount: Int
    let day: Int
    let midnight: Date
    var counts = TrafficCounts()

    static let kiosk = "kiosk-1"
    static let till = "till-1"
    static let reader = "ACS ACR1252 00 00"

    init(store: OpenStore, storeIndex: Int, storeCount: Int, day: Int, midnight: Date) {
        self.store = store
        self.storeIndex = storeIndex
        self.storeCount = storeCount
        self.day = day
        self.midnight = midnight
    }

    mutating func run(shoppers: inout [Shopper], random: inout SeededRandom) async throws {
        var arrivals: [(at: Date, shopper: Int)] = []
        let busy = Self.busyness(of: midnight)
        for index in shoppers.indices {
            let shopper = shoppers[index]
            let here = shopper.homeStore == storeIndex
            // Newcomers come in on their first day; known customers now and then visit another store of the chain.
            let rate = shopper.firstDay > day ? 0
                : here ? (shopper.firstDay == day && day > 0 ? 1 : shopper.visitRate * busy)
                : (shopper.profileId != nil && storeCount > 1 ? 0.004 : 0)
            if random.chance(rate) { arrivals.append((Self.arrivalTime(midnight, random: &random), index)) }
        }
        arrivals.sort { $0.at < $1.at }
        for arrival in arrivals {
            try await visit(&shoppers[arrival.shopper], at: arrival.at, random: &random)
        }
    }

    /// Saturdays are busy, Sundays short, the rest ordinary.
    static func busyness(of day: Date) -> Double {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        switch calendar.component(.weekday, from: day) {
        case 7: return 1.5
        case 1: return 0.5
        default: return 1
        }
    }

    /// Lunchtime and after-work peaks over the opening hours.
    static func arrivalTime(_ midnight: Date, random: inout SeededRandom) -> Date {
        let roll = random.unit()
        let hour: Double = roll < 0.25 ? 12 + random.unit() * 2 : roll < 0.5 ? 17 + random.unit() * 2.5 : 9 + random.unit() * 10.5
        return midnight.addingTimeInterval((hour * 3600).rounded())
    }

    private func identifiers(of shopper: inout Shopper) -> TapIdentifiers {
        switch shopper.card {
        case .loyaltyCard:
            return shopper.loyaltyCard.map { TapIdentifiers(loyaltyCard: $0) } ?? TapIdentifiers(cardUID: shopper.bankCardUID)
        case .paymentToken:
            return TapIdentifiers(paymentToken: shopper.paymentToken, paymentAccountReference: shopper.paymentAccountReference)
        case .companionApp:
            return TapIdentifiers(appDevice: shopper.appDevice)
        case .sunTag:
            shopper.sunCounter += 1 + UInt32(shopper.number % 3)
            return TapIdentifiers(sunTag: SUNTagReading(uid: shopper.sunTagUID, counter: shopper.sunCounter))
        }
    }

    /// Members who joined before the simulated days: each one's sign-up visit, at its time in the weeks before.
    mutating func runEarlierSignUps(_ members: [(at: Date, shopper: Int)], shoppers: inout [Shopper],
                                    random: inout SeededRandom) async throws {
        for member in members.sorted(by: { $0.at < $1.at }) {
            try await visit(&shoppers[member.shopper], at: member.at, random: &random, signingUp: true)
        }
    }

    private mutating func visit(_ shopper: inout Shopper, at: Date, random: inout SeededRandom, signingUp: Bool = false) async throws {
        let database = store.database
        var presented = identifiers(of: &shopper)
        let outcome = try await database.recordTap(Tap(identifiers: presented, deviceId: Self.kiosk, reader: Self.reader, at: at))
        counts.taps += 1
        shopper.lastTouch = at
        let athome = shopper.homeStore == storeIndex
        var known = outcome.greeting?.profileId
        if known == nil, athome, shopper.profileId == nil, signingUp || random.chance(shopper.signUpRate) {
            if shopper.card == .sunTag {
                presented = identifiers(of: &shopper)
            }
            if shopper.card == .loyaltyCard {
                let card = "LC-\(store.id)-\(shopper.number)"
                presented.loyaltyCard = card
                shopper.loyaltyCard = card
            }
            let signUp = try await database.signUp(SignUpRequest(
                firstName: shopper.firstName, lastName: shopper.lastName, email: shopper.email, language: shopper.language,
                consents: [.marketingEmail: shopper.marketingEmail, .marketingSMS: random.chance(0.25), .profiling: random.chance(0.4)],
                identifiers: presented, at: at.addingTimeInterval(45)))
            shopper.profileId = signUp.profile.id
            shopper.signedUpAt = at
            known = signUp.profile.id
            counts.signUps += 1
        }
        var clock = at.addingTimeInterval(Double(180 + random.below(1500)))
        if let known, random.chance(0.2), let reward = try await affordableReward(known, at: clock) {
            _ = try await database.redeem(profileId: known, rewardId: reward.id, deviceId: Self.till, at: clock)
            counts.redemptions += 1
            clock.addTimeInterval(30)
        }
        if random.chance(known == nil ? 0.4 : 0.7) {
            counts.purchases += 1
            let receipt = "R-\(Int(clock.timeIntervalSince1970) / 86_400)-\(counts.purchases)"
            let amount = Int64(500 + random.below(11_500))
            _ = try await database.recordPurchase(PurchaseRequest(receiptId: receipt, tillDeviceId: Self.till, amountMinor: amount,
                                                                  currency: "EUR", profileId: known, at: clock))
            if random.chance(0.04) {
                // Brought back before closing: part of the sale refunded.
                counts.refunds += 1
                _ = try await database.refund(RefundRequest(refundReceiptId: "RF-\(receipt)", purchaseReceiptId: receipt,
                                                            tillDeviceId: Self.till, scope: .amount(amount / 2),
                                                            at: clock.addingTimeInterval(600)))
            }
            clock.addTimeInterval(60)
        }
        if random.chance(0.18) {
            let roll = random.unit()
            let score = roll < 0.5 ? 9 + random.below(2) : roll < 0.78 ? 7 + random.below(2) : random.below(7)
            let comment = random.chance(0.65) ? random.pick(Phrases.comments(language: shopper.language, score: score)) : nil
            _ = try await database.recordFeedback(score: score, comment: comment, language: shopper.language,
                                                  kioskDeviceId: Self.kiosk, profileId: athome ? known : nil, at: clock)
            counts.feedback += 1
        }
    }

    private func affordableReward(_ profileId: String, at: Date) async throws -> Reward? {
        let balance = try await store.database.balance(profileId: profileId, at: at)
        return store.rewards.last { $0.cost <= balance }
    }
}
