import Foundation

/// JSON as it was written, so each field's type can be checked and a wrong one named (JSONDecoder's own errors
/// name a coding path, not what the sender should fix).
indirect enum JSONValue: Decodable, Sendable {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    static func parse(_ data: Data) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw DigitalInputError("body", "is not valid JSON")
        }
    }
}

/// The JSON form of a digital profile (a JSON Lines line, a webhook body), checked strictly: an unknown field or
/// a wrong type is refused naming the field, never ignored.
///
///     {"ecommerceId": "C-1001", "email": "ana@example.com", "emailVerified": true, "firstName": "Ana",
///      "consents": {"marketingEmail": {"granted": true, "at": "2025-03-14T09:30:00Z"}},
///      "touchpoints": [{"kind": "onlineOrder", "at": "2025-03-14T09:31:00Z", "amountMinor": 4599, "currency": "EUR"}]}
enum DigitalProfileJSON {
    static let profileFields: Set<String> = [
        "ecommerceId", "email", "emailVerified", "firstName", "lastName", "phone", "phoneVerified", "loyaltyCard",
        "paymentAccountReference", "consents", "touchpoints",
    ]
    static let touchpointFields: Set<String> = ["kind", "at", "url", "amountMinor", "currency", "orderId", "campaign"]

    /// A profile from a JSON object. `ecommerceId` is the id from the webhook's path, which the body may repeat
    /// but not contradict; an import passes nil and the object must carry it.
    static func profile(_ value: JSONValue, ecommerceId pathId: String? = nil) throws -> DigitalProfileInput {
        let object = try object(value, "body")
        try refuseUnknown(object, known: profileFields, prefix: "")
        var id: String
        if let given = try string(object, "ecommerceId") {
            id = try DigitalValues.token(given, field: "ecommerceId")
            if let pathId, id != pathId {
                throw DigitalInputError("ecommerceId", "'\(DigitalValues.excerpt(id))' differs from the id in the URL, '\(DigitalValues.excerpt(pathId))'")
            }
        } else if let pathId {
            id = try DigitalValues.token(pathId, field: "ecommerceId")
        } else {
            throw DigitalInputError("ecommerceId", "is missing (the e-commerce id is required)")
        }
        var input = DigitalProfileInput(ecommerceId: id)
        input.email = try string(object, "email").map { try DigitalValues.email($0, field: "email") }
        input.emailVerified = try bool(object, "emailVerified")
        input.firstName = try string(object, "firstName").flatMap { try DigitalValues.name($0, field: "firstName") }
        input.lastName = try string(object, "lastName").flatMap { try DigitalValues.name($0, field: "lastName") }
        input.phone = try string(object, "phone").map { try DigitalValues.phone($0, field: "phone") }
        input.phoneVerified = try bool(object, "phoneVerified")
        input.loyaltyCard = try string(object, "loyaltyCard").map { try DigitalValues.token($0, field: "loyaltyCard") }
        input.paymentAccountReference = try string(object, "paymentAccountReference")
            .map { try DigitalValues.paymentAccountReference($0, field: "paymentAccountReference") }
        if let consents = object["consents"], !consents.isNull {
            for (purpose, entry) in try self.object(consents, "consents").sorted(by: { $0.key < $1.key }) {
                let field = "consents.\(purpose)"
                guard let known = DigitalConsentPurpose(rawValue: purpose) else {
                    throw DigitalInputError(field, "unknown consent purpose (known: \(DigitalConsentPurpose.known))")
                }
                let body = try self.object(entry, field)
                try refuseUnknown(body, known: ["granted", "at"], prefix: field + ".")
                guard let granted = try bool(body, "granted", prefix: field + ".") else {
                    throw DigitalInputError(field + ".granted", "is missing (true or false)")
                }
                guard let at = try string(body, "at", prefix: field + ".") else {
                    throw DigitalInputError(field + ".at", "is missing (when the customer answered)")
                }
                input.consents.append(DigitalConsent(purpose: known, granted: granted, at: try DigitalValues.date(at, field: field + ".at")))
            }
        }
        if let touchpoints = object["touchpoints"], !touchpoints.isNull {
            guard case .array(let items) = touchpoints else {
                throw DigitalInputError("touchpoints", "must be an array, got \(touchpoints.typeName)")
            }
            for (index, item) in items.enumerated() {
                input.touchpoints.append(try touchpoint(item, prefix: "touchpoints[\(index)]."))
            }
        }
        return input
    }

    /// One touchpoint object. `extraFields` are allowed beside the touchpoint's own (a touchpoints line's ecommerceId).
    static func touchpoint(_ value: JSONValue, prefix: String, extraFields: Set<String> = []) throws -> DigitalTouchpoint {
        let object = try object(value, prefix.isEmpty ? "body" : String(prefix.dropLast()))
        try refuseUnknown(object, known: touchpointFields.union(extraFields), prefix: prefix)
        guard let kindText = try string(object, "kind", prefix: prefix) else {
            throw DigitalInputError(prefix + "kind", "is missing (\(DigitalTouchpoint.Kind.known))")
        }
        guard let kind = DigitalTouchpoint.Kind(rawValue: kindText) else {
            throw DigitalInputError(prefix + "kind", "'\(DigitalValues.excerpt(kindText))' is not a touchpoint kind (\(DigitalTouchpoint.Kind.known))")
        }
        guard let atText = try string(object, "at", prefix: prefix) else { throw DigitalInputError(prefix + "at", "is missing") }
        let at = try DigitalValues.date(atText, field: prefix + "at")
        var detail = DigitalTouchpoint.Detail()
        detail.url = try string(object, "url", prefix: prefix).flatMap { try DigitalValues.text($0, field: prefix + "url") }
        detail.orderId = try string(object, "orderId", prefix: prefix).flatMap { try DigitalValues.text($0, field: prefix + "orderId", maximum: 200) }
        detail.campaign = try string(object, "campaign", prefix: prefix).flatMap { try DigitalValues.text($0, field: prefix + "campaign", maximum: 200) }
        detail.currency = try string(object, "currency", prefix: prefix).map { try DigitalValues.currency($0, field: prefix + "currency") }
        if let amount = object["amountMinor"], !amount.isNull {
            guard case .integer(let minor) = amount else {
                throw DigitalInputError(prefix + "amountMinor", "must be a whole number of minor units (cents), got \(amount.typeName)")
            }
            detail.amountMinor = minor
        }
        return try DigitalValues.touchpoint(kind: kind, at: at, detail: detail) { prefix + $0 }
    }

    static func object(_ value: JSONValue, _ field: String) throws -> [String: JSONValue] {
        guard case .object(let object) = value else { throw DigitalInputError(field, "must be a JSON object, got \(value.typeName)") }
        return object
    }

    static func refuseUnknown(_ object: [String: JSONValue], known: Set<String>, prefix: String) throws {
        if let unknown = object.keys.filter({ !known.contains($0) }).sorted().first {
            throw DigitalInputError(prefix + unknown, "unknown field (known: \(known.sorted().joined(separator: ", ")))")
        }
    }

    /// A string field; null and absent are both "not said".
    static func string(_ object: [String: JSONValue], _ key: String, prefix: String = "") throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw DigitalInputError(prefix + key, "must be a string, got \(other.typeName)")
        }
    }

    static func bool(_ object: [String: JSONValue], _ key: String, prefix: String = "") throws -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw DigitalInputError(prefix + key, "must be true or false, got \(other.typeName)")
        }
    }
}

extension JSONValue {
    var isNull: Bool { if case .null = self { true } else { false } }
}
