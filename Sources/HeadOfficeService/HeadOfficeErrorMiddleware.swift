import Foundation
import HeadOffice
import Hummingbird
import Logging
import PostgresNIO
import SyncProtocol

/// An HTTP refusal with a machine-readable code and a sentence for people.
struct HeadOfficeHTTPError: Error {
    let status: HTTPResponse.Status
    let code: String
    let reason: String

    init(_ status: HTTPResponse.Status, _ code: String, _ reason: String) {
        self.status = status
        self.code = code
        self.reason = reason
    }
}

/// Every error leaves as JSON (`SyncErrorBody`). Database failures are logged with their detail and answered with
/// a 503, so a store retries later instead of treating its batch as refused.
struct HeadOfficeErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HeadOfficeHTTPError {
            return Self.response(error.status, error.code, error.reason)
        } catch let error as HeadOfficeError {
            switch error.code {
            case .invalidArgument: return Self.response(.badRequest, "invalid", error.description)
            case .notFound: return Self.response(.notFound, "not_found", error.description)
            case .conflict: return Self.response(.conflict, "conflict", error.description)
            case .unauthorized: return Self.response(.unauthorized, "unauthorized", error.description)
            case .forbidden: return Self.response(.forbidden, "forbidden", error.description)
            }
        } catch let error as HTTPError {
            return Self.response(error.status, "http", error.body ?? "\(error.status.reasonPhrase)")
        } catch let error as PSQLError {
            context.logger.error("database error", metadata: ["sqlState": "\(error.serverInfo?[.sqlState] ?? "")",
                                                               "message": "\(error.serverInfo?[.message] ?? "\(error.code)")"])
            return Self.response(.serviceUnavailable, "database", "head office's database failed this request; retry later")
        }
    }

    static func response(_ status: HTTPResponse.Status, _ code: String, _ reason: String) -> Response {
        let body = (try? JSONEncoder().encode(SyncErrorBody(error: code, reason: reason))) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

enum DecodingErrorText {
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "body" : text)
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context).isEmpty ? "" : path(context) + ".")\(key.stringValue) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)): wrong type or null"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "the body is not valid JSON for this request"
        }
    }
}
