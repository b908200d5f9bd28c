/// What an identifier is. Stored as its raw value in `identifier.kind`.
public enum IdentifierKind: String, Codable, Sendable, CaseIterable, Comparable {
    /// The anti-collision UID of any NFC chip. Trivially cloned, so the weakest proof.
    case cardUID
    /// A loyalty card whose record was signed by us (checked by the card security layer before it gets here).
    case loyaltyCard
    /// An NTAG 424 DNA tag whose SUN message (UID + read counter + CMAC) verified.
    case sunTag
    /// A phone app that answered a challenge with its enrolled key.
    case appDevice
    /// A payment network token (already reduced to a non-sensitive form by the reader layer, never a PAN).
    case paymentToken
    /// EMVCo Payment Account Reference: 29 characters, stable across a card's tokens and renewals.
    case paymentAccountReference
    case email
    case phone
    case ecommerceID

    /// How much a tap showing this identifier proves about who is present; higher wins.
    ///
    /// The order is the one in the brief: a SUN tag (fresh CMAC over a monotonic counter) > an app device
    /// (challenge–response with an enrolled key) > a signed loyalty card (a signature that can be copied, but only
    /// from a genuine card) > PAR (stable per card account, issued by the network) > payment token (one per wallet or
    /// device, changes) > bare card UID (anyone can clone or emulate it). Kinds that never arrive in a tap rank 0.
    public var strength: Int {
        switch self {
        case .sunTag: 6
        case .appDevice: 5
        case .loyaltyCard: 4
        case .paymentAccountReference: 3
        case .paymentToken: 2
        case .cardUID: 1
        case .email, .phone, .ecommerceID: 0
        }
    }

    /// Proven by cryptography at the reader, so the identifier row is marked verified when first seen.
    var isCryptographicProof: Bool {
        switch self {
        case .sunTag, .appDevice, .loyaltyCard: true
        default: false
        }
    }

    public static func < (lhs: IdentifierKind, rhs: IdentifierKind) -> Bool { lhs.strength < rhs.strength }
}
