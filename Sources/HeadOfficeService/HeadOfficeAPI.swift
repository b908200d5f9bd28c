import Foundation
import HeadOffice
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import SyncProtocol

/// Head office's HTTP node: stateless, so any number of them can serve one PostgreSQL database.
public struct HeadOfficeAPI: Sendable {
    public let database: HeadOfficeDatabase
    public let maximumBodyBytes: Int

    public init(database: HeadOfficeDatabase, maximumBodyBytes: Int = 16 << 20) {
        self.database = database
        self.maximumBodyBytes = maximumBodyBytes
    }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: HeadOfficeErrorMiddleware())
        router.get("health") { _, _ -> Response in
            let stores = try await database.stores()
            let unapplied = try await database.projectionBacklog().reduce(0) { $0 + $1.pending }
            return try jsonResponse(Health(status: "ok", database: "ok", stores: stores.count, unappliedEvents: unapplied), status: .ok)
        }
        let sync = router.group("v1/sync")
        sync.post("push") { request, _ -> Response in
            let (storeId, body) = try await authenticated(request)
            let batch = try decode(PushBatch.self, from: body)
            // Acknowledged once stored; the node's ProjectionWorker (or the store's next pull) applies the events.
            let acknowledgement = try await database.receive(batch, authenticatedStore: storeId)
            return try jsonResponse(acknowledgement, status: .ok)
        }
        sync.get("changes") { request, _ -> Response in
            let (storeId, _) = try await authenticated(request)
            let limit = try request.uri.queryParameters.get("limit").map { text -> Int in
                guard let value = Int(text), (1...ChangePage.maximumLimit).contains(value) else {
                    throw HeadOfficeHTTPError(.badRequest, "invalid_field", "limit must be an integer from 1 to \(ChangePage.maximumLimit)")
                }
                return value
            } ?? 500
            let after = request.uri.queryParameters.get("after")
            // A store of version 1 names no version on pull: it predates the parameter.
            let version = try request.uri.queryParameters.get("protocolVersion").map { text -> Int in
                guard let value = Int(text) else {
                    throw HeadOfficeHTTPError(.badRequest, "invalid_field", "protocolVersion must be an integer, got '\(text.prefix(20))'")
                }
                guard SyncProtocolVersion.accepted.contains(value) else {
                    throw HeadOfficeHTTPError(.badRequest, "unsupported_protocol_version", SyncProtocolVersion.refusal(value))
                }
                return value
            } ?? 1
            // The store reads the feed its own pushes made: a step of what is pending for it is applied first
            // (waiting for the worker if it is on it); a bigger backlog, a store catching up, is left to the worker.
            try await database.projectPending(storeId: storeId, atMost: HeadOfficeDatabase.projectionStepLimit)
            return try jsonResponse(try await database.changes(forStore: storeId, after: after, limit: limit,
                                                               protocolVersion: version), status: .ok)
        }
        let document = Self.openAPIDocument
        router.get("openapi.yaml") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        addDigitalProfileRoutes(to: router)
        addInsightRoutes(to: router)
        addDashboardRoutes(to: router)
        return router
    }

    /// `Resources/openapi.yaml`, read once; HeadOfficeTests checks it lists exactly the routes above.
    public static let openAPIDocument: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return "" }
        return text
    }()

    /// The signed request's store and its body, or a 401 saying what was wrong.
    private func authenticated(_ request: Request) async throws -> (String, ByteBuffer) {
        let body = try await request.body.collect(upTo: maximumBodyBytes)
        let headers: RequestSignature.Headers
        do {
            headers = try RequestSignature.headers { name in HTTPField.Name(name).flatMap { request.headers[$0] } }
        } catch let failure {
            throw HeadOfficeHTTPError(.unauthorized, "unsigned", failure.description)
        }
        let pathAndQuery = request.uri.string
        let storeId = try await database.authenticate(method: request.method.rawValue, pathAndQuery: pathAndQuery,
                                                      body: Data(body.readableBytesView), headers: headers)
        return (storeId, body)
    }

    private func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            throw HeadOfficeHTTPError(.badRequest, "invalid_body", DecodingErrorText.describe(error))
        }
    }
}

struct Health: Codable {
    var status: String
    var database: String
    var stores: Int
    var unappliedEvents: Int64
}

func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
    let data = try JSONEncoder().encode(value)
    return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// A head-office node on `host:port`; HTTPS only when `tls` is given.
///
/// - Throws: ``HeadOfficeError`` naming `--tls-certificate` or `--tls-key` when a PEM file cannot be used.
public func buildHeadOfficeApplication(api: HeadOfficeAPI, host: String, port: Int, tls: HeadOfficeTLS? = nil,
                                       logger: Logger) throws -> some ApplicationProtocol {
    let http = HTTPServerBuilder.http1()
    let server = try tls.map { try HTTPServerBuilder.tls(http, tlsConfiguration: try $0.serverConfiguration()) } ?? http
    return Application(router: api.makeRouter(), server: server,
                       configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "parcours-hq"),
                       logger: logger)
}
