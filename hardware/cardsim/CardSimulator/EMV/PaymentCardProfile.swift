/// What a contactless payment card tells a terminal that reads it for identification: its
/// application, card number, expiry, cardholder name and, for Visa, its Payment Account Reference.
///
/// The defaults are public test cards: Visa `4761739001010010` and Mastercard `5413330089010434`.
public struct PaymentCardProfile: Hashable, Sendable {
    public enum Scheme: String, Hashable, Sendable, CaseIterable {
        case visa
        case mastercard
    }

    public let scheme: Scheme
    public var pan: PrimaryAccountNumber
    /// Two-digit year (20YY) and month.
    public var expiryYear: Int
    public var expiryMonth: Int
    /// Tag `5F20`, at most 26 characters; many contactless cards send " /" to hide it.
    public var cardholderName: String
    /// Tag `9F24`: 29 characters, the same for every card number of the account. `nil`: not sent.
    public var paymentAccountReference: String?
    /// 4-byte random-looking UID, as bank cards show.
    public var uid: [UInt8]

    /// - Throws: ``CardSimulatorError/Code-swift.struct/invalidArgument`` for a bad expiry, name or PAR.
    public init(
        scheme: Scheme, pan: PrimaryAccountNumber, expiryYear: Int, expiryMonth: Int, cardholderName: String,
        paymentAccountReference: String?, uid: [UInt8]
    ) throws(CardSimulatorError) {
        guard (0...99).contains(expiryYear), (1...12).contains(expiryMonth) else {
            throw CardSimulatorError(.invalidArgument, "expiry \(expiryYear)/\(expiryMonth) is not a YY/MM date")
        }
        guard cardholderName.count <= 26, cardholderName.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw CardSimulatorError(.invalidArgument, "the cardholder name is printable ASCII of at most 26 characters; got '\(cardholderName)'")
        }
        if let paymentAccountReference {
            guard paymentAccountReference.utf8.count == 29,
                paymentAccountReference.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) })
            else {
                throw CardSimulatorError(
                    .invalidArgument, "a PAR is 29 upper-case letters and digits; got '\(paymentAccountReference)'")
            }
        }
        self.scheme = scheme
        self.pan = pan
        self.expiryYear = expiryYear
        self.expiryMonth = expiryMonth
        self.cardholderName = cardholderName
        self.paymentAccountReference = paymentAccountReference
        self.uid = uid
    }

    /// The scheme's test card: Visa with a PAR, Mastercard without.
    public static func testCard(_ scheme: Scheme) -> PaymentCardProfile {
        switch scheme {
        case .visa:
            PaymentCardProfile(
                checkedScheme: .visa, pan: "4761739001010010", expiry: (28, 12), name: "VISA ACQUIRER TEST/CARD 01",
                par: "V0010013021123456789012345678", uid: [0x08, 0x5E, 0x91, 0x3C])
        case .mastercard:
            PaymentCardProfile(
                checkedScheme: .mastercard, pan: "5413330089010434", expiry: (27, 6), name: "MASTERCARD TEST/CARD",
                par: nil, uid: [0x08, 0xB2, 0x4A, 0x17])
        }
    }

    /// For the constants above, whose validity the tests check.
    private init(checkedScheme: Scheme, pan: String, expiry: (Int, Int), name: String, par: String?, uid: [UInt8]) {
        scheme = checkedScheme
        self.pan = PrimaryAccountNumber(storing: pan)
        expiryYear = expiry.0
        expiryMonth = expiry.1
        cardholderName = name
        paymentAccountReference = par
        self.uid = uid
    }

    // MARK: Scheme constants

    /// RID + PIX of the credit/debit application.
    public var aid: [UInt8] {
        switch scheme {
        case .visa: [0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10]
        case .mastercard: [0xA0, 0x00, 0x00, 0x00, 0x04, 0x10, 0x10]
        }
    }

    public var applicationLabel: String {
        switch scheme {
        case .visa: "VISA CREDIT"
        case .mastercard: "MASTERCARD"
        }
    }

    /// Tag `82`: Visa qVSDC with offline data authentication; Mastercard PayPass M/Chip with CDA.
    var applicationInterchangeProfile: [UInt8] {
        switch scheme {
        case .visa: [0x20, 0x00]
        case .mastercard: [0x19, 0x80]
        }
    }

    /// Tag `5F24`: YYMMDD, the last day of the expiry month.
    var expiryDate: [UInt8] {
        let lastDay: Int
        switch expiryMonth {
        case 2: lastDay = expiryYear % 4 == 0 ? 29 : 28
        case 4, 6, 9, 11: lastDay = 30
        default: lastDay = 31
        }
        return [Self.bcd(expiryYear), Self.bcd(expiryMonth), Self.bcd(lastDay)]
    }

    /// Tag `57`: PAN, separator `D`, YYMM, service code 201 (international, chip), discretionary
    /// data, padded with `F`.
    var track2EquivalentData: [UInt8] {
        var nibbles = pan.digits.compactMap { $0.wholeNumberValue.map(UInt8.init) }
        nibbles.append(0x0D)
        nibbles += [expiryYear / 10, expiryYear % 10, expiryMonth / 10, expiryMonth % 10].map(UInt8.init)
        nibbles += [2, 0, 1]
        nibbles += [UInt8](repeating: 0, count: 13)
        return PrimaryAccountNumber.packNibbles(nibbles)
    }

    static func bcd(_ value: Int) -> UInt8 { UInt8(((value / 10) << 4) | (value % 10)) }
}
