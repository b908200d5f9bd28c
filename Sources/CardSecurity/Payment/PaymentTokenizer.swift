import Crypto
import Foundation

/// Turns an EMV card's records into a ``PaymentCardIdentity``: a keyed token of the PAN, the
/// Payment Account Reference, a masked PAN, the scheme and the expiry.
///
/// The PAN and track 2 never reach a property, a log, an error message or a `String`: the digits
/// go into one fixed scratch buffer that is zeroed before it is freed, and the input records are
/// zeroed before ``tokenize(records:aid:)`` returns or throws.
public struct PaymentTokenizer: Sendable {
    public static let minimumSecretLength = 32
    static let maximumPANDigits = 19
    static let minimumPANDigits = 12
    static let parLength = 29

    private let secret: SymmetricKey

    /// - Parameter secret: The chain's tokenization secret, at least 32 bytes. The same secret
    ///   everywhere gives the same token for a card in every store.
    /// - Throws: ``CardSecurityError`` `.configuration` for a shorter secret.
    public init(secret: SymmetricKey) throws {
        guard secret.bitCount / 8 >= Self.minimumSecretLength else {
            throw CardSecurityError.configuration(
                "the payment token secret is \(secret.bitCount / 8) bytes; at least \(Self.minimumSecretLength) are required")
        }
        self.secret = secret
    }

    /// - Parameters:
    ///   - records: The data of each READ RECORD answer (record templates `70`). Zeroed in place
    ///     (same lengths) before the call returns or throws. Copies the caller made before the call
    ///     share nothing with the zeroed storage and are the caller's to wipe.
    ///   - aid: The selected application's AID, for the scheme.
    /// - Throws: ``CardSecurityError`` `.malformed`: no PAN, a PAN of the wrong length or failing
    ///   the Luhn check, no expiry, or a record whose TLV structure is broken. Messages never hold
    ///   PAN digits.
    public func tokenize(records: inout [[UInt8]], aid: [UInt8]) throws -> PaymentCardIdentity {
        defer {
            for index in records.indices {
                secureZero(&records[index])
            }
        }
        guard (5...16).contains(aid.count) else {
            throw CardSecurityError.malformed("AID must be 5–16 bytes, got \(aid.count)")
        }
        return try withSensitiveBuffer(count: Self.maximumPANDigits) { pan in
            var found = FoundData()
            for index in records.indices {
                try records[index].withUnsafeBufferPointer { record in
                    try EMVRecordScanner.scan(record, record: index + 1) { tag, range in
                        try found.take(tag: tag, value: UnsafeBufferPointer(rebasing: record[range]), pan: pan)
                    }
                }
            }
            return try identity(from: found, pan: pan, aid: aid)
        }
    }

    private func identity(
        from found: FoundData, pan: UnsafeMutableBufferPointer<UInt8>, aid: [UInt8]
    ) throws -> PaymentCardIdentity {
        guard found.panSource != .none else {
            throw CardSecurityError.malformed("no PAN: the records hold neither tag 5A nor track 2 equivalent data 57")
        }
        let digits = UnsafeMutableBufferPointer(rebasing: pan[0..<found.panLength])
        guard (Self.minimumPANDigits...Self.maximumPANDigits).contains(digits.count) else {
            throw CardSecurityError.malformed(
                "the PAN from \(found.panSource) has \(digits.count) digits; 12–19 are expected")
        }
        guard Self.passesLuhn(UnsafeBufferPointer(digits)) else {
            throw CardSecurityError.malformed("the PAN from \(found.panSource) fails the Luhn check")
        }
        guard let expiry = found.expiry ?? found.track2Expiry else {
            throw CardSecurityError.malformed("no expiry date: neither 5F24 nor track 2 equivalent data 57 has one")
        }
        let mac = HMAC<SHA256>.authenticationCode(for: UnsafeRawBufferPointer(digits), using: secret)
        let hidden = String(repeating: "*", count: digits.count - 10)
        let masked = String(decoding: digits.prefix(6), as: UTF8.self) + hidden
            + String(decoding: digits.suffix(4), as: UTF8.self)
        return PaymentCardIdentity(
            paymentToken: Hex.encode(mac),
            paymentAccountReference: found.paymentAccountReference,
            maskedPAN: masked,
            scheme: PaymentScheme(aid: aid),
            expiry: expiry
        )
    }

    /// Luhn over ASCII digits: doubling every second digit from the right.
    static func passesLuhn(_ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        var sum = 0
        for (position, character) in digits.reversed().enumerated() {
            var digit = Int(character) - Int(UInt8(ascii: "0"))
            if position % 2 == 1 {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
        }
        return sum % 10 == 0
    }
}

/// What the scan has found so far. Holds no PAN digit: those go straight into the scratch buffer.
private struct FoundData {
    enum PANSource: CustomStringConvertible {
        case none, track2, applicationPAN

        var description: String {
            switch self {
            case .none: "nowhere"
            case .track2: "track 2 equivalent data (57)"
            case .applicationPAN: "tag 5A"
            }
        }
    }

    var panSource = PANSource.none
    var panLength = 0
    var expiry: String?
    var track2Expiry: String?
    var paymentAccountReference: String?

    mutating func take(tag: UInt32, value: UnsafeBufferPointer<UInt8>, pan: UnsafeMutableBufferPointer<UInt8>) throws {
        switch tag {
        case 0x5A where panSource != .applicationPAN:
            panLength = try Self.decodeApplicationPAN(value, into: pan)
            panSource = .applicationPAN
        case 0x57 where track2Expiry == nil:
            let (length, expiry) = try Self.decodeTrack2(value, into: pan, keepPAN: panSource == .none)
            if panSource == .none {
                panLength = length
                panSource = .track2
            }
            track2Expiry = expiry
        case 0x5F24 where expiry == nil:
            expiry = try Self.decodeExpirationDate(value)
        case 0x9F24 where paymentAccountReference == nil:
            paymentAccountReference = Self.decodePaymentAccountReference(value)
        default:
            break
        }
    }

    /// 5A: BCD digits, padded at the end with `F` nibbles.
    private static func decodeApplicationPAN(
        _ value: UnsafeBufferPointer<UInt8>, into pan: UnsafeMutableBufferPointer<UInt8>
    ) throws -> Int {
        var count = 0
        var padding = false
        for byte in value {
            for shift: UInt8 in [4, 0] {
                let nibble = byte >> shift & 0x0F
                if nibble == 0x0F {
                    padding = true
                    continue
                }
                guard nibble <= 9, !padding else {
                    throw CardSecurityError.malformed("the PAN in tag 5A holds a nibble that is neither a digit nor end padding")
                }
                guard count < pan.count else {
                    throw CardSecurityError.malformed("the PAN in tag 5A is longer than 19 digits")
                }
                pan[count] = UInt8(ascii: "0") + nibble
                count += 1
            }
        }
        return count
    }

    /// 57: PAN digits, separator `D`, expiry YYMM, service code, discretionary data, `F` padding.
    private static func decodeTrack2(
        _ value: UnsafeBufferPointer<UInt8>, into pan: UnsafeMutableBufferPointer<UInt8>, keepPAN: Bool
    ) throws -> (panLength: Int, expiry: String) {
        var panLength = 0
        var afterSeparator: [UInt8] = []
        var separatorFound = false
        defer { secureZero(&afterSeparator) }
        afterSeparator.reserveCapacity(4)
        for byte in value {
            for shift: UInt8 in [4, 0] {
                let nibble = byte >> shift & 0x0F
                if !separatorFound {
                    if nibble == 0x0D {
                        separatorFound = true
                        continue
                    }
                    guard nibble <= 9 else {
                        throw CardSecurityError.malformed("track 2 equivalent data (57) holds a non-digit before its separator")
                    }
                    guard panLength < pan.count else {
                        throw CardSecurityError.malformed("the PAN in track 2 equivalent data (57) is longer than 19 digits")
                    }
                    if keepPAN {
                        pan[panLength] = UInt8(ascii: "0") + nibble
                    }
                    panLength += 1
                } else if afterSeparator.count < 4 {
                    guard nibble <= 9 else {
                        throw CardSecurityError.malformed("track 2 equivalent data (57) has a non-digit expiry date")
                    }
                    afterSeparator.append(UInt8(ascii: "0") + nibble)
                }
            }
        }
        guard separatorFound else {
            throw CardSecurityError.malformed("track 2 equivalent data (57) has no D separator")
        }
        guard afterSeparator.count == 4 else {
            throw CardSecurityError.malformed("track 2 equivalent data (57) ends before its expiry date")
        }
        let expiry = String(decoding: afterSeparator, as: UTF8.self)
        try checkMonth(expiry, source: "track 2 equivalent data (57)")
        return (panLength, expiry)
    }

    /// 5F24: YYMMDD in BCD.
    private static func decodeExpirationDate(_ value: UnsafeBufferPointer<UInt8>) throws -> String {
        guard value.count == 3 else {
            throw CardSecurityError.malformed("application expiration date (5F24) must be 3 bytes, got \(value.count)")
        }
        var text = ""
        for byte in value.prefix(2) {
            guard byte >> 4 <= 9, byte & 0x0F <= 9 else {
                throw CardSecurityError.malformed("application expiration date (5F24) is not BCD")
            }
            text += "\(byte >> 4)\(byte & 0x0F)"
        }
        try checkMonth(text, source: "application expiration date (5F24)")
        return text
    }

    private static func checkMonth(_ yymm: String, source: String) throws {
        guard let month = Int(yymm.suffix(2)), (1...12).contains(month) else {
            throw CardSecurityError.malformed("\(source) has month \(yymm.suffix(2)), not 01–12")
        }
    }

    /// 9F24: 29 alphanumeric ASCII characters. Anything else is ignored rather than fatal: the PAR
    /// is optional, and a card that garbles it can still be recognised by its token.
    private static func decodePaymentAccountReference(_ value: UnsafeBufferPointer<UInt8>) -> String? {
        guard value.count == PaymentTokenizer.parLength,
            value.allSatisfy({ character in
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(character)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(character)
            })
        else { return nil }
        return String(decoding: value, as: UTF8.self)
    }
}
