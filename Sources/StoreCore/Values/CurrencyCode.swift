import Foundation

/// An ISO 4217 alpha-3 currency code with its number of minor-unit digits (EUR 2, JPY 0, KWD 3).
///
/// Amounts are always carried as integer minor units (`Int64`); the digits are needed to turn "12.50" into 1250
/// and to apply a points-per-unit rule to the major unit.
public struct CurrencyCode: Hashable, Sendable, Codable, CustomStringConvertible {
    public let code: String
    public let minorUnitDigits: Int
    public var description: String { code }

    public init(_ raw: String) throws {
        let code = raw.trimmed(.whitespaces).uppercased()
        guard let digits = Self.minorUnitDigitsByCode[code] else {
            throw StoreError(.badCurrency, "currency must be an ISO 4217 alpha-3 code such as EUR, got \"\(Sanitized.excerpt(raw))\"")
        }
        self.code = code
        self.minorUnitDigits = digits
    }

    public init(from decoder: any Decoder) throws {
        try self.init(decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }

    /// Parses a decimal amount written by a person ("12.50", "12", "0.5") into minor units, refusing more
    /// decimals than the currency has, signs, exponents and amounts beyond `Int64`.
    public func minorUnits(parsing text: String) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("-") {
            throw StoreError(.negativeAmount, "amount must not be negative, got \(Sanitized.excerpt(trimmed))")
        }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts.first.map(String.init) ?? ""
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard parts.count <= 2, !whole.isEmpty, whole.allSatisfy({ $0.isASCII && $0.isNumber }),
              fraction.allSatisfy({ $0.isASCII && $0.isNumber }), parts.count == 1 || !fraction.isEmpty else {
            throw StoreError(.invalidArgument, "amount must be a decimal number like 12.50, got \"\(Sanitized.excerpt(trimmed))\"")
        }
        guard fraction.count <= minorUnitDigits else {
            throw StoreError(.invalidArgument, "\(code) amounts have at most \(minorUnitDigits) decimals, got \"\(Sanitized.excerpt(trimmed))\"")
        }
        let padded = whole + fraction + String(repeating: "0", count: minorUnitDigits - fraction.count)
        guard let value = Int64(padded) else {
            throw StoreError(.invalidArgument, "amount \(Sanitized.excerpt(trimmed)) is too large")
        }
        return value
    }

    /// Writes minor units back as a decimal amount, e.g. 1250 → "12.50".
    public func format(minorUnits: Int64) -> String {
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        guard minorUnitDigits > 0 else { return (negative ? "-" : "") + String(magnitude) }
        var divisor: UInt64 = 1
        for _ in 0..<minorUnitDigits { divisor *= 10 }
        let fraction = String(magnitude % divisor)
        let padded = String(repeating: "0", count: minorUnitDigits - fraction.count) + fraction
        return (negative ? "-" : "") + String(magnitude / divisor) + "." + padded
    }

    /// Active ISO 4217 codes (list of 2024) with their minor-unit digits; everything not listed has 2.
    static let minorUnitDigitsByCode: [String: Int] = {
        var table: [String: Int] = [:]
        let twoDigits = """
            AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF \
            CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD \
            HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT \
            MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR \
            SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU \
            UZS VED VES WST XCD XCG YER ZAR ZMW ZWG
            """
        for code in twoDigits.split(separator: " ") { table[String(code)] = 2 }
        for code in "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(separator: " ") {
            table[String(code)] = 0
        }
        for code in "BHD IQD JOD KWD LYD OMR TND".split(separator: " ") { table[String(code)] = 3 }
        for code in "CLF UYW".split(separator: " ") { table[String(code)] = 4 }
        return table
    }()
}
