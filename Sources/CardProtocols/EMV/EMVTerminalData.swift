/// The terminal side of a zero-amount contactless "identification" tap: the values a PDOL may ask
/// for, so GET PROCESSING OPTIONS can be sent without running a payment.
public struct EMVTerminalData: Hashable, Sendable {
    /// Terminal Transaction Qualifiers (`9F66`) for identification, `20 00 40 00`:
    /// - byte 1 `20`: contactless EMV mode (qVSDC) supported; MSD, contact chip, online PIN and signature
    ///   not supported; bit 4 clear means the reader is not offline-only, i.e. online capable.
    /// - byte 2 `00`: no online cryptogram required, no CVM required.
    /// - byte 3 `40`: consumer device CVM supported, so phone wallets answer instead of failing.
    /// - byte 4 `00`: nothing else.
    public static let identificationTTQ: [UInt8] = [0x20, 0x00, 0x40, 0x00]
    /// Terminal capabilities (`9F33`) `00 08 08`: no contact/stripe/manual input, "no CVM required",
    /// CDA supported.
    public static let identificationCapabilities: [UInt8] = [0x00, 0x08, 0x08]
    /// Additional terminal capabilities (`9F40`) `00 00 00 00 00`: no cash, goods or services flags.
    public static let identificationAdditionalCapabilities: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x00]

    public let terminalTransactionQualifiers: [UInt8]
    /// ISO 3166-1 numeric, e.g. 250 for France.
    public let countryCode: Int
    /// ISO 4217 numeric, e.g. 978 for the euro.
    public let currencyCode: Int
    /// `9A`, YYMMDD in BCD.
    public let transactionDate: [UInt8]
    /// `9F37`, 4 bytes the caller draws from a secure random source.
    public let unpredictableNumber: [UInt8]
    /// `9F35`: `22` = attended, offline with online capability.
    public let terminalType: UInt8

    /// - Throws: ``CardProtocolError/invalidValue`` for codes outside 0…999, an impossible date, or an
    ///   unpredictable number that is not 4 bytes.
    public init(
        countryCode: Int, currencyCode: Int, year: Int, month: Int, day: Int, unpredictableNumber: [UInt8],
        terminalType: UInt8 = 0x22, terminalTransactionQualifiers: [UInt8] = EMVTerminalData.identificationTTQ
    ) throws(CardProtocolError) {
        guard (0...999).contains(countryCode) else { throw .invalidValue("country code \(countryCode) is not ISO 3166 numeric (0...999)") }
        guard (0...999).contains(currencyCode) else { throw .invalidValue("currency code \(currencyCode) is not ISO 4217 numeric (0...999)") }
        guard (2000...2099).contains(year), (1...12).contains(month), (1...31).contains(day) else {
            throw .invalidValue("transaction date \(year)-\(month)-\(day) is not a date in 2000...2099")
        }
        guard unpredictableNumber.count == 4 else {
            throw .invalidValue("unpredictable number must have 4 bytes, got \(unpredictableNumber.count)")
        }
        guard terminalTransactionQualifiers.count == 4 else {
            throw .invalidValue("TTQ must have 4 bytes, got \(terminalTransactionQualifiers.count)")
        }
        self.countryCode = countryCode
        self.currencyCode = currencyCode
        self.transactionDate = [Self.bcd(year % 100), Self.bcd(month), Self.bcd(day)]
        self.unpredictableNumber = unpredictableNumber
        self.terminalType = terminalType
        self.terminalTransactionQualifiers = terminalTransactionQualifiers
    }

    /// The values by tag, amounts zero, ready for ``DataObjectList/build(values:numericTags:)``.
    public var values: [TLVTag: [UInt8]] {
        [
            0x9F66: terminalTransactionQualifiers,
            0x9F02: [0, 0, 0, 0, 0, 0],  // amount authorised, n 12
            0x9F03: [0, 0, 0, 0, 0, 0],  // amount other, n 12
            0x9F1A: Self.bcd3(countryCode),
            0x5F2A: Self.bcd3(currencyCode),
            0x95: [0, 0, 0, 0, 0],  // TVR: nothing checked has failed
            0x9A: transactionDate,
            0x9C: [0x00],  // transaction type: goods and services
            0x9F37: unpredictableNumber,
            0x9F35: [terminalType],
            0x9F33: Self.identificationCapabilities,
            0x9F40: Self.identificationAdditionalCapabilities,
        ]
    }

    /// The PDOL data for GET PROCESSING OPTIONS; empty when the card sent no PDOL.
    public func processingOptionsData(for pdol: DataObjectList?) -> [UInt8] {
        pdol?.build(values: values) ?? []
    }

    static func bcd(_ value: Int) -> UInt8 { UInt8((value / 10) << 4 | value % 10) }

    /// n 3 in two bytes: 250 → `02 50`.
    static func bcd3(_ value: Int) -> [UInt8] { [bcd(value / 100), bcd(value % 100)] }
}
