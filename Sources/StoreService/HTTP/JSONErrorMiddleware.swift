import Foundation
import HTTPTypes
import Hummingbird
import Logging
import StoreCore

/// Turns whatever a route or middleware threw into the API's JSON error body, so that no refusal is ever an
/// empty or HTML page. Unexpected errors are logged by type only: their descriptions can carry request data.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch let error as StoreError {
            let apiError = APIError(error)
            if apiError.status == .internalServerError {
                context.logger.error("store error", metadata: ["code": "\(error.code)"])
            }
            return apiError.response
        } catch let error as any HTTPResponseError {
            return Self.translate(error.status).response
        } catch {
            context.logger.error("request failed", metadata: ["errorType": "\(type(of: error))"])
            return APIError(.internalServerError, "internal", "the store could not complete the request").response
        }
    }

    /// Hummingbird's own refusals (no route, body too large, …) in the API's vocabulary.
    static func translate(_ status: HTTPResponse.Status) -> APIError {
        switch status {
        case .notFound: APIError.notFound("no such endpoint")
        case .methodNotAllowed: APIError(status, "methodNotAllowed", "this endpoint does not take that method")
        case .contentTooLarge: APIError(status, "bodyTooLarge", "the request body is too large")
        default: APIError(status, "httpError", status.reasonPhrase)
        }
    }
}

extension APIError {
    var response: Response {
        JSONResponse.make(body, status: status)
    }
}

/// JSON responses: one encoder configuration for the whole API.
enum JSONResponse {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Made once and never reconfigured (encoding does not mutate it), so every request can share it.
    private static let shared = encoder()

    static func encode(_ value: some Encodable) throws -> Data {
        try shared.encode(value)
    }

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data: Data
        do {
            data = try encode(value)
        } catch {
            data = Data(#"{"error":"internal","reason":"the response could not be encoded"}"#.utf8)
            return Response(status: .internalServerError, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return make(body: ByteBuffer(bytes: data), status: status)
    }

    static func make(body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }
}
