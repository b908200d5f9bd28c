import Foundation

/// The CSV forms of the import: a header row naming the columns (any order, any subset beyond the required ones),
/// then one customer, or one touchpoint, per record. An empty cell means "not said" and changes nothing stored.
///
///     ecommerce_id,email,email_verified,first_name,last_name,phone,phone_verified,loyalty_card,payment_account_reference,
///     consent_marketing_email,consent_marketing_email_at,consent_marketing_sms,consent_marketing_sms_at,consent_profiling,consent_profiling_at
///
///     ecommerce_id,kind,at,url,amount_minor,currency,order_id,campaign
struct DigitalCSVLayout {
    enum Kind { case profiles, touchpoints }

    static let profileColumns = [
        "ecommerce_id", "email", "email_verified", "first_name", "last_name", "phone", "phone_verified", "loyalty_card",
        "payment_account_reference",
    ] + DigitalConsentPurpose.allCases.flatMap { [consentColumn($0), consentColumn($0) + "_at"] }
    static let touchpointColumns = ["ecommerce_id", "kind", "at", "url", "amount_minor", "currency", "order_id", "campaign"]

    /// marketingEmail → consent_marketing_email.
    static func consentColumn(_ purpose: DigitalConsentPurpose) -> String {
        var text = "consent_", previous: Character?
        for character in purpose.rawValue {
            // A new word starts at an upper-case letter after a lower-case one: marketingSMS → marketing_sms.
            if character.isUppercase, let previous, previous.isLowercase { text += "_" }
            text += character.lowercased()
            previous = character
        }
        return text
    }

    let kind: Kind
    /// Column name → position in the record.
    let positions: [String: Int]
    let width: Int

    /// Reads the header; a file whose header is wrong is refused before any row is read.
    init(header: [String], kind: Kind) throws {
        let known = kind == .profiles ? Self.profileColumns : Self.touchpointColumns
        let required = kind == .profiles ? ["ecommerce_id"] : ["ecommerce_id", "kind", "at"]
        var positions: [String: Int] = [:]
        for (index, raw) in header.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            guard !name.isEmpty else { throw DigitalInputError("header", "column \(index + 1) has no name") }
            guard known.contains(name) else {
                throw DigitalInputError("header", "unknown column '\(DigitalValues.excerpt(name))' (known: \(known.joined(separator: ", ")))")
            }
            guard positions[name] == nil else { throw DigitalInputError("header", "column '\(name)' appears twice") }
            positions[name] = index
        }
        if let missing = required.first(where: { positions[$0] == nil }) {
            throw DigitalInputError("header", "the required column '\(missing)' is missing")
        }
        self.kind = kind
        self.positions = positions
        self.width = header.count
    }

    private func cell(_ record: CSVReader.Record, _ column: String) -> String? {
        guard let position = positions[column] else { return nil }
        let value = record.fields[position]
        return value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : value
    }

    private func checkWidth(_ record: CSVReader.Record) throws {
        guard record.fields.count == width else {
            throw DigitalInputError("row", "\(record.fields.count) field\(record.fields.count == 1 ? "" : "s"), the header has \(width) columns")
        }
    }

    private func ecommerceId(_ record: CSVReader.Record) throws -> String {
        guard let id = cell(record, "ecommerce_id") else { throw DigitalInputError("ecommerce_id", "is missing (the e-commerce id is required)") }
        return try DigitalValues.token(id, field: "ecommerce_id")
    }

    func profile(_ record: CSVReader.Record) throws -> DigitalProfileInput {
        try checkWidth(record)
        var input = DigitalProfileInput(ecommerceId: try ecommerceId(record))
        input.email = try cell(record, "email").map { try DigitalValues.email($0, field: "email") }
        input.emailVerified = try cell(record, "email_verified").flatMap { try DigitalValues.flag($0, field: "email_verified") }
        input.firstName = try cell(record, "first_name").flatMap { try DigitalValues.name($0, field: "first_name") }
        input.lastName = try cell(record, "last_name").flatMap { try DigitalValues.name($0, field: "last_name") }
        input.phone = try cell(record, "phone").map { try DigitalValues.phone($0, field: "phone") }
        input.phoneVerified = try cell(record, "phone_verified").flatMap { try DigitalValues.flag($0, field: "phone_verified") }
        input.loyaltyCard = try cell(record, "loyalty_card").map { try DigitalValues.token($0, field: "loyalty_card") }
        input.paymentAccountReference = try cell(record, "payment_account_reference")
            .map { try DigitalValues.paymentAccountReference($0, field: "payment_account_reference") }
        for purpose in DigitalConsentPurpose.allCases {
            let column = Self.consentColumn(purpose)
            let granted = try cell(record, column).flatMap { try DigitalValues.flag($0, field: column) }
            let at = try cell(record, column + "_at").map { try DigitalValues.date($0, field: column + "_at") }
            switch (granted, at) {
            case let (granted?, at?): input.consents.append(DigitalConsent(purpose: purpose, granted: granted, at: at))
            case (.some, nil): throw DigitalInputError(column + "_at", "is required when \(column) is given (when the customer answered)")
            case (nil, .some): throw DigitalInputError(column, "is required when \(column)_at is given (true or false)")
            case (nil, nil): break
            }
        }
        return input
    }

    func touchpoint(_ record: CSVReader.Record) throws -> (ecommerceId: String, touchpoint: DigitalTouchpoint) {
        try checkWidth(record)
        let id = try ecommerceId(record)
        guard let kindText = cell(record, "kind") else { throw DigitalInputError("kind", "is missing (\(DigitalTouchpoint.Kind.known))") }
        guard let kind = DigitalTouchpoint.Kind(rawValue: kindText.trimmingCharacters(in: .whitespaces)) else {
            throw DigitalInputError("kind", "'\(DigitalValues.excerpt(kindText))' is not a touchpoint kind (\(DigitalTouchpoint.Kind.known))")
        }
        guard let atText = cell(record, "at") else { throw DigitalInputError("at", "is missing") }
        let at = try DigitalValues.date(atText, field: "at")
        var detail = DigitalTouchpoint.Detail()
        detail.url = try cell(record, "url").flatMap { try DigitalValues.text($0, field: "url") }
        detail.orderId = try cell(record, "order_id").flatMap { try DigitalValues.text($0, field: "order_id", maximum: 200) }
        detail.campaign = try cell(record, "campaign").flatMap { try DigitalValues.text($0, field: "campaign", maximum: 200) }
        detail.currency = try cell(record, "currency").map { try DigitalValues.currency($0, field: "currency") }
        if let amount = cell(record, "amount_minor") {
            guard let minor = Int64(amount.trimmingCharacters(in: .whitespaces)) else {
                throw DigitalInputError("amount_minor", "'\(DigitalValues.excerpt(amount))' is not a whole number of minor units (cents)")
            }
            detail.amountMinor = minor
        }
        let columns = ["amountMinor": "amount_minor", "orderId": "order_id"]
        return (id, try DigitalValues.touchpoint(kind: kind, at: at, detail: detail) { columns[$0] ?? $0 })
    }
}
