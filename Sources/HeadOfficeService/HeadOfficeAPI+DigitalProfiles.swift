import Foundation
import HeadOffice
import HTTPTypes
import Hummingbird
import Logging
import SyncProtocol

/// The e-commerce platform's webhook: one customer at a time, the same fields as a JSON Lines import.
///
///     PUT  /v1/digital-profiles/{ecommerceId}              a profile (201 created, 200 updated or unchanged)
///     POST /v1/digital-profiles/{ecommerceId}/touchpoints  one touchpoint object, or an array of them
///
/// Every call carries `Authorization: Bearer <API key>` (`parcours hq api-key add`). Bodies are strict: an
/// unknown field or a wrong type is a 400 naming the field. Both are idempotent, so the platform may retry.
extension HeadOfficeAPI {
    static let maximumWebhookBodyBytes = 1 << 20

    func addDigitalProfileRoutes(to router: Router<BasicRequestContext>) {
        let profiles = router.group("v1/digital-profiles")
        profiles.put(":ecommerceId") { request, context -> Response in
            let keyName = try await apiKeyName(request)
            let ecommerceId = try context.parameters.require("ecommerceId")
            let input = try await webhookBody(request) { try DigitalWebhookBody.profile($0, ecommerceId: ecommerceId) }
            let outcome = try await database.applyDigitalProfiles([(line: 0, input: input)], source: "webhook")
            if let failure = outcome.failures.first {
                throw HeadOfficeHTTPError(.badRequest, "refused", failure.message)
            }
            let result = outcome.results[0]
            context.logger.info("digital profile \(result.status)", metadata: ["key": "\(keyName)", "profile": "\(result.profileId)"])
            return try jsonResponse(DigitalProfileResponse(result), status: result.status == "created" ? .created : .ok)
        }
        profiles.post(":ecommerceId/touchpoints") { request, context -> Response in
            _ = try await apiKeyName(request)
            let ecommerceId = try context.parameters.require("ecommerceId")
            let touchpoints = try await webhookBody(request) { try DigitalWebhookBody.touchpoints($0) }
            let id = try webhookField { try DigitalWebhookBody.ecommerceId(ecommerceId) }
            let outcome = try await database.addDigitalTouchpoints([(line: 0, ecommerceId: id, touchpoints: touchpoints)])
            if let failure = outcome.failures.first {
                throw HeadOfficeHTTPError(.notFound, "not_found", failure.message)
            }
            return try jsonResponse(TouchpointsResponse(added: outcome.added, alreadyKnown: outcome.alreadyKnown), status: .ok)
        }
    }

    /// The name of the API key the request carries, or a 401 (no key, not a key, unknown key) or 403 (revoked)
    /// saying which. Checked before the body is read.
    private func apiKeyName(_ request: Request) async throws -> String {
        guard let header = request.headers[.authorization] else {
            throw HeadOfficeHTTPError(.unauthorized, "missing_api_key",
                                      "send the e-commerce API key as 'Authorization: Bearer <key>' ('parcours hq api-key add' creates one)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw HeadOfficeHTTPError(.unauthorized, "bad_authorization", "the Authorization header must be 'Bearer <API key>'")
        }
        return try await database.authenticateAPIKey(String(parts[1]).trimmingCharacters(in: .whitespaces))
    }

    /// The body as JSON, read into `T`; what is wrong with it comes back as a 400 naming the field.
    private func webhookBody<T>(_ request: Request, _ read: (Data) throws -> T) async throws -> T {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maximumWebhookBodyBytes)
        } catch {
            throw HeadOfficeHTTPError(.contentTooLarge, "too_large", "the body must be at most \(Self.maximumWebhookBodyBytes) bytes")
        }
        return try webhookField { try read(Data(body.readableBytesView)) }
    }

    private func webhookField<T>(_ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch let error as DigitalInputError {
            throw HeadOfficeHTTPError(.badRequest, "invalid_field", error.description)
        }
    }
}

struct DigitalProfileResponse: Encodable {
    var ecommerceId: String
    var profileId: String
    /// created, updated or unchanged.
    var status: String
    /// Profiles found to be this customer (a verified identifier they share) and merged with it.
    var merged: [String]

    init(_ result: DigitalProfileResult) {
        ecommerceId = result.ecommerceId
        profileId = result.profileId.uuidString.lowercased()
        status = result.status
        merged = result.merged.map { $0.uuidString.lowercased() }
    }
}

struct TouchpointsResponse: Encodable {
    var added: Int
    var alreadyKnown: Int
}
