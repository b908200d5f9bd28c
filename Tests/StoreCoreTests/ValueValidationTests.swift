import Foundation
import StoreCore
import Testing

@Suite("Value validation")
struct ValueValidationTests {
    @Test("emails are trimmed, domains lowercased, lookup keys fully lowercased", arguments: [
        ("  Marie.Curie@Example.COM ", "Marie.Curie@example.com", "marie.curie@example.com"),
        ("a+tag@sub.example.fr", "a+tag@sub.example.fr", "a+tag@sub.example.fr"),
        ("o'neil@xn--bcher-kva.example", "o'neil@xn--bcher-kva.example", "o'neil@xn--bcher-kva.example"),
    ])
    func normalizesEmails(raw: String, normalized: String, key: String) throws {
        let email = try EmailAddress(raw)
        #expect(email.normalized == normalized)
        #expect(email.lookupKey == key)
    }

    @Test("malformed emails are refused with a reason", arguments: [
        ("", "exactly one @"), ("marie", "exactly one @"), ("a@b@c.com", "exactly one @"), ("@example.com", "local part"),
        ("marie@", "domain with a dot"), ("marie@localhost", "domain with a dot"), (".marie@example.com", "dot"),
        ("ma..rie@example.com", "dot"), ("marie@exa_mple.com", "invalid domain"), ("marie@-example.com", "invalid domain"),
        ("ma rie@example.com", "not allowed"), ("marie@example.c", "top-level"), ("marie@example.123", "top-level"),
        (String(repeating: "a", count: 65) + "@example.com", "local part"),
    ])
    func refusesMalformedEmails(raw: String, reason: String) {
        let error = #expect(throws: StoreError.self) { try EmailAddress(raw) }
        #expect(error?.code == .malformedEmail)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "") should mention \(reason)")
    }

    @Test("phones become E.164", arguments: [
        ("+33 6 12 34 56 78", "+33612345678"), ("0033612345678", "+33612345678"), ("+1 (415) 555-0100", "+14155550100"),
        ("+44.20.7946.0958", "+442079460958"),
    ])
    func normalizesPhones(raw: String, e164: String) throws {
        #expect(try PhoneNumber(raw).e164 == e164)
    }

    @Test("national or malformed phones are refused", arguments: ["0612345678", "+33 6 12 AB", "+0612345678", "+123", "+1234567890123456", ""])
    func refusesMalformedPhones(raw: String) {
        let error = #expect(throws: StoreError.self) { try PhoneNumber(raw) }
        #expect(error?.code == .malformedPhone)
    }

    @Test("currencies: ISO 4217 codes with their minor units", arguments: [
        ("EUR", 2), ("eur", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4), ("CHF", 2),
    ])
    func knowsCurrencies(code: String, digits: Int) throws {
        let currency = try CurrencyCode(code)
        #expect(currency.code == code.uppercased())
        #expect(currency.minorUnitDigits == digits)
    }

    @Test("unknown currencies are refused", arguments: ["EURO", "XXY", "", "€", "US"])
    func refusesUnknownCurrencies(code: String) {
        let error = #expect(throws: StoreError.self) { try CurrencyCode(code) }
        #expect(error?.code == .badCurrency)
    }

    @Test("amounts parse into minor units", arguments: [
        ("EUR", "12.50", Int64(1250)), ("EUR", "12", 1200), ("EUR", "0.5", 50), ("JPY", "1200", 1200), ("KWD", "1.234", 1234),
    ])
    func parsesAmounts(code: String, text: String, minor: Int64) throws {
        let currency = try CurrencyCode(code)
        #expect(try currency.minorUnits(parsing: text) == minor)
        #expect(try currency.minorUnits(parsing: currency.format(minorUnits: minor)) == minor)
    }

    @Test("bad amounts are refused", arguments: ["-1.00", "12.505", "1e3", "12,50", "", ".5", "5.", "99999999999999999999"])
    func refusesBadAmounts(text: String) throws {
        let euro = try CurrencyCode("EUR")
        #expect(throws: StoreError.self) { try euro.minorUnits(parsing: text) }
    }

    @Test("formats minor units")
    func formatsAmounts() throws {
        #expect(try CurrencyCode("EUR").format(minorUnits: 1250) == "12.50")
        #expect(try CurrencyCode("EUR").format(minorUnits: 5) == "0.05")
        #expect(try CurrencyCode("JPY").format(minorUnits: 1200) == "1200")
        #expect(try CurrencyCode("EUR").format(minorUnits: -1) == "-0.01")
    }

    @Test("identifier strength follows the documented order")
    func strengthOrder() {
        let order: [IdentifierKind] = [.sunTag, .appDevice, .loyaltyCard, .paymentAccountReference, .paymentToken, .cardUID]
        #expect(order.map(\.strength) == order.map(\.strength).sorted(by: >))
        #expect(Set(order.map(\.strength)).count == order.count)
    }
}

@Suite("Stored dates")
struct StoredDateTests {
    /// Dates returned by write methods must equal the same rows read back, whatever their sub-millisecond part.
    @Test("a device's createdAt reads back equal, for many wall-clock instants")
    func datesRoundTrip() async throws {
        let store = try await TestStore()
        for step in 0..<40 {
            let at = Date(timeIntervalSince1970: 1_795_000_000 + Double(step) * 0.0371 + 0.000_4)
            let added = try await store.database.addDevice(kind: .till, name: "Till \(step)", at: at)
            let listed = try await store.database.devices().first { $0.id == added.device.id }
            #expect(listed?.createdAt == added.device.createdAt)
        }
    }
}
