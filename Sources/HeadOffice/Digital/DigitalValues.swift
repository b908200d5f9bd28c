import SyncProtocol
import Foundation

/// Field checks shared by the CSV, JSON Lines and webhook readers. Email, phone and PAR are normalized exactly as
/// StoreCore normalizes them (EmailAddress, PhoneNumber, IdentifierValue), so an address typed online and the same
/// address typed at a kiosk meet in one `identifier` row. HeadOffice does not depend on StoreCore, hence the copy;
/// the tests check both agree.
enum DigitalValues {
    static let maximumIdentifierLength = 256
    static let maximumNameLength = 200

    /// The e-commerce id, a loyalty card number: 1–256 printable ASCII characters without spaces.
    static func token(_ raw: String, field: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw DigitalInputError(field, "is empty") }
        guard value.count <= maximumIdentifierLength,
              value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            throw DigitalInputError(field, "must be 1–\(maximumIdentifierLength) printable ASCII characters without spaces, got '\(excerpt(value))'")
        }
        return value
    }

    static func name(_ raw: String, field: String) throws -> String? {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { return nil }
        guard value.count <= maximumNameLength else { throw DigitalInputError(field, "is longer than \(maximumNameLength) characters") }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw DigitalInputError(field, "contains a control character")
        }
        return value
    }

    /// The address with its domain lowercased; the identifier value is the whole of it lowercased.
    static func email(_ raw: String, field: String) throws -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        func fail(_ why: String) -> DigitalInputError { DigitalInputError(field, "'\(excerpt(text))' is not an email address: \(why)") }
        guard text.count <= 254 else { throw fail("longer than 254 characters") }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw fail("it must contain exactly one @") }
        let local = String(parts[0])
        let domain = parts[1].lowercased()
        guard !local.isEmpty, local.utf8.count <= 64 else { throw fail("it needs 1–64 characters before the @") }
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.")
        guard local.allSatisfy({ localAllowed.contains($0) }) else { throw fail("a character before the @ is not allowed") }
        guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { throw fail("a dot is misplaced before the @") }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw fail("the domain needs a dot, like example.com") }
        let labelAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        for label in labels {
            guard !label.isEmpty, label.count <= 63, label.allSatisfy({ labelAllowed.contains($0) }),
                  !label.hasPrefix("-"), !label.hasSuffix("-") else { throw fail("the domain is invalid") }
        }
        guard let last = labels.last, last.count >= 2, !last.allSatisfy(\.isNumber) else { throw fail("the top-level domain is invalid") }
        return local + "@" + domain
    }

    /// E.164: `+`, a country code starting 1–9, 7–15 digits; spaces, dots, dashes and parentheses dropped.
    static func phone(_ raw: String, field: String) throws -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        var body = text.filter { !" .-()\u{00A0}".contains($0) }
        if body.hasPrefix("00") { body = "+" + body.dropFirst(2) }
        let digits = body.dropFirst()
        guard body.hasPrefix("+"), digits.allSatisfy({ $0.isASCII && $0.isNumber }), (7...15).contains(digits.count),
              digits.first != "0" else {
            throw DigitalInputError(field, "'\(excerpt(text))' is not an international phone number (+ and the country code, e.g. +33612345678)")
        }
        return "+" + digits
    }

    /// EMVCo Payment Account Reference: 29 letters or digits, uppercased.
    static func paymentAccountReference(_ raw: String, field: String) throws -> String {
        let par = raw.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        guard par.count == 29, par.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) else {
            throw DigitalInputError(field, "must be 29 letters or digits (an EMVCo Payment Account Reference), got \(par.count) characters")
        }
        return par
    }

    /// An ISO 8601 date and time with its zone, e.g. 2025-03-14T09:30:00Z or 2025-03-14T10:30:00.250+01:00.
    static func date(_ raw: String, field: String) throws -> Date {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let date = SyncDate.date(text) else {
            throw DigitalInputError(field, "'\(excerpt(text))' is not an ISO 8601 date and time with a zone, like 2025-03-14T09:30:00Z")
        }
        return date
    }

    /// CSV booleans: true/false, yes/no, 1/0, any case. Empty is "not said".
    static func flag(_ raw: String, field: String) throws -> Bool? {
        switch raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "": return nil
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw DigitalInputError(field, "'\(excerpt(raw))' is not true or false")
        }
    }

    static func currency(_ raw: String, field: String) throws -> String {
        let code = raw.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw DigitalInputError(field, "'\(excerpt(raw))' is not an ISO 4217 currency code like EUR")
        }
        return code
    }

    static func text(_ raw: String, field: String, maximum: Int = 2048) throws -> String? {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { return nil }
        guard value.count <= maximum else { throw DigitalInputError(field, "is longer than \(maximum) characters") }
        return value
    }

    /// Checks what a touchpoint of each kind must and may carry.
    static func touchpoint(kind: DigitalTouchpoint.Kind, at: Date, detail: DigitalTouchpoint.Detail,
                           field: (String) -> String) throws -> DigitalTouchpoint {
        switch kind {
        case .onlineOrder:
            guard let amount = detail.amountMinor else { throw DigitalInputError(field("amountMinor"), "is required for an onlineOrder") }
            guard amount >= 0 else { throw DigitalInputError(field("amountMinor"), "must not be negative") }
            guard detail.currency != nil else { throw DigitalInputError(field("currency"), "is required for an onlineOrder") }
        case .webVisit, .emailClick:
            if detail.amountMinor != nil { throw DigitalInputError(field("amountMinor"), "is only for an onlineOrder") }
            if detail.currency != nil { throw DigitalInputError(field("currency"), "is only for an onlineOrder") }
            if detail.orderId != nil { throw DigitalInputError(field("orderId"), "is only for an onlineOrder") }
        }
        if kind != .emailClick, detail.campaign != nil { throw DigitalInputError(field("campaign"), "is only for an emailClick") }
        return DigitalTouchpoint(kind: kind, at: at, detail: detail)
    }

    static func excerpt(_ text: String) -> String {
        let clean = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return clean.count > 40 ? String(clean.prefix(40)) + "…" : clean
    }
}
