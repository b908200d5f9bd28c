import Foundation

/// One tap, one result: where and when, what the card is, and the identifiers it proved — or why it failed.
public struct TapResult: Sendable, Hashable, Codable {
    public var reader: String
    public var at: Date
    /// What the card is, in words ("NFC Forum Type 2 (MIFARE Ultralight / NTAG21x)").
    public var technology: String
    public var atr: String
    public var identifiers: TapIdentifiers
    /// Why the tap gave no identifier, when it failed; nil on success.
    public var failure: String?
    /// Command APDUs sent to the card during this tap.
    public var apduCount: Int
    /// From the card being seen to this result, in milliseconds.
    public var milliseconds: Double

    public var succeeded: Bool { failure == nil }
}

/// The identifiers a tap proved. Only what the card proved is set; a payment card never yields its number.
public struct TapIdentifiers: Sendable, Hashable, Codable {
    /// The anti-collision UID as the reader reports it (hex). Weak proof: UIDs can be cloned or random.
    public var cardUID: String?
    /// A Parcours loyalty card id whose signature verified.
    public var loyaltyCard: String?
    /// An NTAG 424 DNA tag whose SUN message verified.
    public var sunTag: SUNTag?
    /// A companion-app device whose challenge signature verified.
    public var appDevice: String?
    /// Keyed, non-reversible token of a payment card number.
    public var paymentToken: String?
    /// EMVCo Payment Account Reference, stable across a card's tokens.
    public var paymentAccountReference: String?
    /// First 6 and last 4 digits of a payment card, for the receipt-style display.
    public var maskedPAN: String?
    public var paymentScheme: String?

    public init() {}

    public var isEmpty: Bool { self == TapIdentifiers() }

    public struct SUNTag: Sendable, Hashable, Codable {
        public var uid: String
        public var counter: UInt32
        public init(uid: String, counter: UInt32) {
            self.uid = uid
            self.counter = counter
        }
    }
}
