import CardSecurity
import Crypto

/// The keys and rules a reader needs to prove who tapped. Each proof is optional: without its key, that
/// card kind still gives what it can without a secret (a card UID), never a guessed identity.
public struct IdentificationPolicy: Sendable {
    /// The store, bound into the companion app's reader context.
    public var storeID: String
    /// Verifies signed Parcours loyalty cards (NTAG21x).
    public var loyaltyCards: LoyaltyCardVerifier?
    /// Verifies NTAG 424 DNA SUN URLs, counters included.
    public var sunTags: SUNVerifier?
    /// Turns a payment card number into the chain's keyed token. Without it, payment cards are refused.
    public var paymentTokens: PaymentTokenizer?
    /// The registered companion-app device keys.
    public var appDeviceKeys: @Sendable (AppDeviceID) async throws -> P256.Signing.PublicKey?
    /// Remembers recent companion-app challenges so an answer is good once.
    public var appVerifier: CompanionAppVerifier
    /// ISO 3166 numeric country and ISO 4217 numeric currency the EMV terminal data announce.
    public var terminalCountryCode: Int
    public var terminalCurrencyCode: Int

    public init(
        storeID: String,
        loyaltyCards: LoyaltyCardVerifier? = nil,
        sunTags: SUNVerifier? = nil,
        paymentTokens: PaymentTokenizer? = nil,
        appDeviceKeys: @escaping @Sendable (AppDeviceID) async throws -> P256.Signing.PublicKey? = { _ in nil },
        terminalCountryCode: Int = 250,
        terminalCurrencyCode: Int = 978
    ) {
        self.storeID = storeID
        self.loyaltyCards = loyaltyCards
        self.sunTags = sunTags
        self.paymentTokens = paymentTokens
        self.appDeviceKeys = appDeviceKeys
        self.appVerifier = CompanionAppVerifier()
        self.terminalCountryCode = terminalCountryCode
        self.terminalCurrencyCode = terminalCurrencyCode
    }
}
