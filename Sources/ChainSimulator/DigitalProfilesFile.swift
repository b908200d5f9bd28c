import Foundation

/// The web shop's customers as JSON Lines for `parcours hq import profiles` (README, "Digital profiles").
///
/// Store customers who also shop online carry the identifier that lets head office merge the two profiles: the
/// loyalty card they were given in store, or the account reference (PAR) of the card saved in the web shop. The
/// email is the same too, but a store's email is never verified, so it alone would not merge them. Web-only
/// customers have nothing in common with any store.
enum DigitalProfilesFile {
    struct Line: Encodable {
        var ecommerceId: String
        var email: String
        var emailVerified: Bool
        var firstName: String
        var lastName: String
        var loyaltyCard: String?
        var paymentAccountReference: String?
        var consents: [String: Consent]
        var touchpoints: [Touchpoint]
    }

    struct Consent: Encodable {
        var granted: Bool
        var at: String
    }

    struct Touchpoint: Encodable {
        var kind: String
        var at: String
        var url: String?
        var amountMinor: Int?
        var currency: String?
        var orderId: String?
        var campaign: String?
    }

    /// Writes the file and returns how many profiles it holds.
    static func write(shoppers: [Shopper], start: Date, end: Date, seed: UInt64, to file: URL) throws -> Int {
        var random = SeededRandom(seed: seed ^ 0x0057_EB5E_ED00)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines: [String] = []
        func add(_ line: Line) throws { lines.append(String(decoding: try encoder.encode(line), as: UTF8.self)) }

        for shopper in shoppers where shopper.shopsOnline && shopper.profileId != nil {
            let shared: (card: String?, par: String?) = shopper.card == .loyaltyCard
                ? (shopper.loyaltyCard, nil) : (nil, shopper.paymentAccountReference)
            guard shared.card != nil || shared.par != nil else { continue }
            try add(line(number: shopper.number, firstName: shopper.firstName, lastName: shopper.lastName, email: shopper.email,
                         marketingEmail: shopper.marketingEmail, loyaltyCard: shared.card, par: shared.par,
                         start: start, end: end, random: &random))
        }
        // Web-only customers: about one for every twenty store shoppers.
        let webOnly = max(5, shoppers.count / 20)
        for offset in 0..<webOnly {
            let number = 1_000_000 + offset
            let english = random.chance(0.3)
            let first = random.pick(english ? Phrases.englishFirstNames : Phrases.frenchFirstNames)
            let last = random.pick(english ? Phrases.englishLastNames : Phrases.frenchLastNames)
            try add(line(number: number, firstName: first, lastName: last,
                         email: "\(Shopper.ascii(first)).\(Shopper.ascii(last)).w\(offset)@example.net",
                         marketingEmail: random.chance(0.6), loyaltyCard: nil, par: nil, start: start, end: end, random: &random))
        }
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        return lines.count
    }

    private static func line(number: Int, firstName: String, lastName: String, email: String, marketingEmail: Bool,
                             loyaltyCard: String?, par: String?, start: Date, end: Date, random: inout SeededRandom) throws -> Line {
        let span = max(3600, end.timeIntervalSince(start))
        func moment() -> Date {
            // Evenings and weekends online, anywhere in the simulated period.
            let day = Double(random.below(Int(span / 86_400) + 1)) * 86_400
            return min(end.addingTimeInterval(-60), start.addingTimeInterval(day + Double(7 * 3600 + random.below(16 * 3600))))
        }
        let joined = start.addingTimeInterval(-Double(86_400 * (30 + random.below(300))))
        var touchpoints: [Touchpoint] = []
        for _ in 0..<(2 + random.below(6)) {
            touchpoints.append(Touchpoint(kind: "webVisit", at: iso(moment()),
                                          url: "https://shop.example.com/p/\(1000 + random.below(400))"))
        }
        for _ in 0..<random.below(3) {
            touchpoints.append(Touchpoint(kind: "onlineOrder", at: iso(moment()), amountMinor: 1500 + random.below(15_000),
                                          currency: "EUR", orderId: "WEB-\(number)-\(random.below(1_000_000))"))
        }
        if marketingEmail {
            for _ in 0..<random.below(3) {
                let week = 1 + random.below(52)
                touchpoints.append(Touchpoint(kind: "emailClick", at: iso(moment()),
                                              url: "https://shop.example.com/newsletter/\(week)", campaign: "newsletter-w\(week)"))
            }
        }
        return Line(ecommerceId: "W-\(number)", email: email, emailVerified: true, firstName: firstName, lastName: lastName,
                    loyaltyCard: loyaltyCard, paymentAccountReference: par,
                    consents: ["marketingEmail": Consent(granted: marketingEmail, at: iso(joined))],
                    touchpoints: touchpoints.sorted { $0.at < $1.at })
    }

    static func iso(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }
}
