import Foundation

/// One customer as the e-commerce side describes them: a CSV row, a JSON Lines line or a webhook body, already
/// validated and normalized. A field left out (nil) leaves what head office stores unchanged.
public struct DigitalProfileInput: Sendable, Hashable {
    /// The e-commerce system's own id for the customer: the idempotency key of every import and update.
    public var ecommerceId: String
    /// As typed, with the domain lowercased (the store's normalization); the identifier is the lowercased whole.
    public var email: String?
    public var emailVerified: Bool?
    public var firstName: String?
    public var lastName: String?
    /// E.164.
    public var phone: String?
    public var phoneVerified: Bool?
    public var loyaltyCard: String?
    public var paymentAccountReference: String?
    public var consents: [DigitalConsent]
    public var touchpoints: [DigitalTouchpoint]

    public init(ecommerceId: String, email: String? = nil, emailVerified: Bool? = nil, firstName: String? = nil,
                lastName: String? = nil, phone: String? = nil, phoneVerified: Bool? = nil, loyaltyCard: String? = nil,
                paymentAccountReference: String? = nil, consents: [DigitalConsent] = [], touchpoints: [DigitalTouchpoint] = []) {
        self.ecommerceId = ecommerceId
        self.email = email
        self.emailVerified = emailVerified
        self.firstName = firstName
        self.lastName = lastName
        self.phone = phone
        self.phoneVerified = phoneVerified
        self.loyaltyCard = loyaltyCard
        self.paymentAccountReference = paymentAccountReference
        self.consents = consents
        self.touchpoints = touchpoints
    }

    /// The identifiers this profile is known by, as head office's `identifier` rows name them, with whether each
    /// is proven. Possession kinds (cards, PAR) are always proven; email and phone only when the shop says so.
    ///
    /// Cards come first: a merge they cause happens before the email and phone are bound, so those land on the
    /// survivor in the same run (and are marked verified there) instead of on the next re-run.
    var identifiers: [(kind: String, value: String, verified: Bool)] {
        var list: [(String, String, Bool)] = []
        if let loyaltyCard { list.append(("loyaltyCard", loyaltyCard, true)) }
        if let paymentAccountReference { list.append(("paymentAccountReference", paymentAccountReference, true)) }
        list.append(("ecommerceID", ecommerceId, true))
        if let email { list.append(("email", email.lowercased(), emailVerified ?? false)) }
        if let phone { list.append(("phone", phone, phoneVerified ?? false)) }
        return list.map { (kind: $0.0, value: $0.1, verified: $0.2) }
    }
}

/// The purposes a store asks consent for (StoreCore's `ConsentPurpose`), the only ones head office accepts.
public enum DigitalConsentPurpose: String, Sendable, Hashable, CaseIterable {
    case marketingEmail, marketingSMS, profiling

    static var known: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

public struct DigitalConsent: Sendable, Hashable {
    public var purpose: DigitalConsentPurpose
    public var granted: Bool
    public var at: Date

    public init(purpose: DigitalConsentPurpose, granted: Bool, at: Date) {
        self.purpose = purpose
        self.granted = granted
        self.at = at
    }
}

/// Something the customer did online. Kept at head office for the customer view; stores do not receive them.
public struct DigitalTouchpoint: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case webVisit, onlineOrder, emailClick

        static var known: String { allCases.map(\.rawValue).joined(separator: ", ") }
    }

    public var kind: Kind
    public var at: Date
    public var detail: Detail

    public struct Detail: Codable, Sendable, Hashable {
        public var url: String?
        /// Online orders: the amount in minor units (cents) and its ISO 4217 currency.
        public var amountMinor: Int64?
        public var currency: String?
        public var orderId: String?
        /// Email clicks: the campaign the email belonged to.
        public var campaign: String?

        public init(url: String? = nil, amountMinor: Int64? = nil, currency: String? = nil, orderId: String? = nil,
                    campaign: String? = nil) {
            self.url = url
            self.amountMinor = amountMinor
            self.currency = currency
            self.orderId = orderId
            self.campaign = campaign
        }

        var isEmpty: Bool { self == Detail() }
    }

    public init(kind: Kind, at: Date, detail: Detail = Detail()) {
        self.kind = kind
        self.at = at
        self.detail = detail
    }
}

/// What was wrong with one field of one row, named as the file or body names it.
public struct DigitalInputError: Error, CustomStringConvertible, Sendable, Hashable {
    public let field: String
    public let problem: String

    public init(_ field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }
}
