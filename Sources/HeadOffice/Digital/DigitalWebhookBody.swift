import Foundation

/// The webhook's bodies, read with the same strict rules as a JSON Lines import.
public enum DigitalWebhookBody {
    /// `PUT /v1/digital-profiles/{ecommerceId}`: a profile object; its `ecommerceId`, if given, must be the path's.
    public static func profile(_ body: Data, ecommerceId: String) throws -> DigitalProfileInput {
        try DigitalProfileJSON.profile(try JSONValue.parse(body), ecommerceId: ecommerceId)
    }

    /// `POST /v1/digital-profiles/{ecommerceId}/touchpoints`: one touchpoint object, or a non-empty array of them.
    public static func touchpoints(_ body: Data) throws -> [DigitalTouchpoint] {
        let value = try JSONValue.parse(body)
        if case .array(let items) = value {
            guard !items.isEmpty else { throw DigitalInputError("body", "the array of touchpoints is empty") }
            return try items.enumerated().map { try DigitalProfileJSON.touchpoint($1, prefix: "[\($0)].") }
        }
        return [try DigitalProfileJSON.touchpoint(value, prefix: "")]
    }

    /// An e-commerce id from a URL path.
    public static func ecommerceId(_ text: String) throws -> String {
        try DigitalValues.token(text, field: "ecommerceId")
    }
}
