import Logging
import Foundation
import HTTPTypes
import Hummingbird
import StoreCore

/// Every refusal the API gives, as `{"error": "...", "reason": "..."}` (plus `field` when one field is at fault).
///
/// `error` is a stable machine-readable code the fronts can switch on; `reason` is for the person reading it.
/// Reasons may repeat what the caller sent (an email already registered) but are never logged.
public struct APIError: Error, Sendable, Hashable {
    public var status: HTTPResponse.Status
    public var error: String
    public var reason: String
    public var field: String?

    public init(_ status: HTTPResponse.Status, _ error: String, _ reason: String, field: String? = nil) {
        self.status = status
        self.error = error
        self.reason = reason
        self.field = field
    }

    public static func invalidField(_ field: String, _ reason: String) -> APIError {
        APIError(.badRequest, "invalidField", "\(field): \(reason)", field: field)
    }

    public static func unauthenticated(_ reason: String) -> APIError {
        APIError(.unauthorized, "unauthenticated", reason)
    }

    public static func forbidden(_ reason: String) -> APIError {
        APIError(.forbidden, "forbidden", reason)
    }

    public static func notFound(_ reason: String) -> APIError {
        APIError(.notFound, "notFound", reason)
    }

    /// The JSON body sent for this error.
    struct Body: Codable, Sendable {
        var error: String
        var reason: String
        var field: String?
    }

    var body: Body { Body(error: error, reason: reason, field: field) }
}

extension APIError {
    /// The HTTP answer to a store-layer refusal: the caller's mistakes are 4xx with the store's own message.
    init(_ storeError: StoreError) {
        let code = storeError.code
        let status: HTTPResponse.Status
        switch code {
        case .invalidArgument, .malformedEmail, .malformedPhone, .malformedIdentifier, .negativeAmount, .badCurrency,
             .currencyMismatch, .invalidScore, .weakPIN:
            status = .badRequest
        case .unknownProfile, .unknownReward, .unknownPurchase, .unknownDevice, .unknownStaff:
            status = .notFound
        case .profileErased, .rewardInactive, .emailAlreadyRegistered, .identifierAlreadyBound, .receiptConflict:
            status = .conflict
        case .insufficientPoints, .refundExceedsPurchase, .replayedTap:
            status = .unprocessableContent
        case .staffLocked:
            status = .locked
        default:
            status = .internalServerError
        }
        let reason = status == .internalServerError ? "the store could not complete the request" : storeError.message
        self.init(status, code.name, reason)
    }
}

extension HTTPResponse.Status {
    /// 423 (RFC 4918): the staff member is locked out after too many wrong PINs. HTTPTypes has no name for it.
    static var locked: Self { .init(code: 423, reasonPhrase: "Locked") }
}
