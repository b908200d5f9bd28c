import Foundation

/// How a shopper identifies at the kiosk: the kinds of card the chain accepts.
enum CardKind: CaseIterable, Sendable {
    /// A bank card UID at first, then the chain's loyalty card handed out at sign-up.
    case loyaltyCard
    /// A wallet's payment token with its account reference (PAR), the same on the web shop's saved card.
    case paymentToken
    /// The companion app's device id.
    case companionApp
    /// An NTAG 424 DNA tag, whose signed read counter grows with every tap.
    case sunTag
}

/// One person of the simulated chain: who they are, how they pay and tap, how often they come.
struct Shopper: Sendable {
    let number: Int
    let homeStore: Int
    let firstName: String
    let lastName: String
    let language: String
    let card: CardKind
    /// Chance of a visit on an ordinary weekday.
    let visitRate: Double
    /// Chance of signing up at a visit while still unknown (0 for people who never join).
    let signUpRate: Double
    let marketingEmail: Bool
    /// Also a customer of the web shop (written to the digital profiles file once known in store).
    let shopsOnline: Bool
    /// Simulated day on which the person first walks in (0 for those the store already sees at the start).
    var firstDay = 0

    // Identifiers, fixed per person.
    let bankCardUID: String
    let paymentToken: String
    let paymentAccountReference: String
    let appDevice: String
    let sunTagUID: String

    // What the stores know so far.
    var loyaltyCard: String?
    var profileId: String?
    var signedUpAt: Date?
    var sunCounter: UInt32 = 0
    var lastTouch: Date?

    var email: String {
        "\(Self.ascii(firstName)).\(Self.ascii(lastName)).\(number)@example.com"
    }

    static func ascii(_ text: String) -> String {
        text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
            .lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    static func make(number: Int, homeStore: Int, random: inout SeededRandom) -> Shopper {
        let english = random.chance(0.3)
        let names = english ? Phrases.englishFirstNames : Phrases.frenchFirstNames
        let kindRoll = random.unit()
        let card: CardKind = kindRoll < 0.45 ? .loyaltyCard : kindRoll < 0.75 ? .paymentToken : kindRoll < 0.9 ? .companionApp : .sunTag
        let habit = random.unit()
        // A few regulars, many occasional shoppers, a tail who come once in a while.
        let visitRate = habit < 0.15 ? 0.5 : habit < 0.6 ? 0.2 : 0.06
        return Shopper(
            number: number, homeStore: homeStore,
            firstName: random.pick(names), lastName: random.pick(english ? Phrases.englishLastNames : Phrases.frenchLastNames),
            language: english ? "en" : "fr", card: card, visitRate: visitRate,
            signUpRate: random.chance(0.65) ? 0.35 : 0, marketingEmail: random.chance(0.55),
            shopsOnline: (card == .loyaltyCard || card == .paymentToken) && random.chance(0.45),
            bankCardUID: "04" + random.hex(digits: 12),
            paymentToken: "tok_" + random.hex(digits: 24).lowercased(),
            paymentAccountReference: "V001" + random.digits(25),
            appDevice: "app-" + random.hex(digits: 20).lowercased(),
            sunTagUID: "04" + random.hex(digits: 12))
    }
}
