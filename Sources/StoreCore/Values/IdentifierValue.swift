import Foundation

/// Normalizes and validates identifier values so that the same card always maps to the same `identifier` row.
enum IdentifierValue {
    static let maximumLength = 256

    static func normalized(_ raw: String, kind: IdentifierKind) throws -> String {
        let value = raw.trimmed(.whitespacesAndNewlines)
        switch kind {
        case .cardUID, .sunTag:
            // 4-, 7- and 10-byte ISO 14443 UIDs; colons and spaces as printed by reader tools are tolerated.
            let hex = value.filter { $0 != ":" && $0 != " " }.uppercased()
            guard [8, 14, 20].contains(hex.count), hex.allSatisfy(\.isHexDigit) else {
                throw StoreError(.malformedIdentifier,
                                 "\(kind.rawValue) must be a 4, 7 or 10 byte UID in hex, got \"\(Sanitized.excerpt(raw))\"")
            }
            return hex
        case .paymentAccountReference:
            let par = value.uppercased()
            guard par.count == 29, par.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) else {
                throw StoreError(.malformedIdentifier,
                                 "paymentAccountReference must be 29 letters or digits, got \(value.count) characters")
            }
            return par
        case .email:
            return try EmailAddress(value).lookupKey
        case .phone:
            return try PhoneNumber(value).e164
        case .loyaltyCard, .appDevice, .paymentToken, .ecommerceID:
            guard !value.isEmpty, value.count <= maximumLength,
                  value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
                throw StoreError(.malformedIdentifier,
                                 "\(kind.rawValue) must be 1–\(maximumLength) printable ASCII characters without spaces, got \"\(Sanitized.excerpt(raw))\"")
            }
            return value
        }
    }
}
