import Foundation

/// A phone number in E.164 form: `+`, a country code starting 1–9, at most 15 digits in all.
///
/// Spaces, dots, dashes and parentheses are accepted and dropped; a leading `00` is read as `+`. A national number
/// without its country code is refused rather than guessed: the store may serve tourists.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    public let e164: String
    public var description: String { e164 }

    public init(_ raw: String) throws {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        var body = text.filter { !" .-()\u{00A0}".contains($0) }
        if body.hasPrefix("00") { body = "+" + body.dropFirst(2) }
        guard body.hasPrefix("+") else {
            throw StoreError(.malformedPhone,
                             "phone must be in international format starting with + and the country code, e.g. +33612345678")
        }
        let digits = body.dropFirst()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw StoreError(.malformedPhone, "phone \"\(Sanitized.excerpt(text))\" has characters other than digits")
        }
        guard (7...15).contains(digits.count), digits.first != "0" else {
            throw StoreError(.malformedPhone,
                             "phone must have 7–15 digits after + and a country code not starting with 0, got \(digits.count) digits")
        }
        e164 = "+" + digits
    }
}
