/// What the store keeps of a payment card: enough to recognise it again, nothing to pay with.
public struct PaymentCardIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Upper-case hex HMAC-SHA256 of the PAN digits under the chain's secret: stable for a PAN,
    /// useless without the secret.
    public let paymentToken: String
    /// EMVCo's Payment Account Reference (tag 9F24), 29 characters, when the card gives one: the
    /// same across the card's renewals and wallet tokens.
    public let paymentAccountReference: String?
    /// First 6 and last 4 digits, `*` between.
    public let maskedPAN: String
    public let scheme: PaymentScheme
    /// YYMM.
    public let expiry: String

    public init(
        paymentToken: String, paymentAccountReference: String?, maskedPAN: String, scheme: PaymentScheme,
        expiry: String
    ) {
        self.paymentToken = paymentToken
        self.paymentAccountReference = paymentAccountReference
        self.maskedPAN = maskedPAN
        self.scheme = scheme
        self.expiry = expiry
    }

    /// Masked PAN, scheme, expiry and the start of the token; never the PAN.
    public var description: String {
        "\(scheme) \(maskedPAN) exp \(expiry) token \(paymentToken.prefix(12))…"
            + (paymentAccountReference == nil ? "" : " with PAR")
    }
}
