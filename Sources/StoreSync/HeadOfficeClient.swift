import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SyncProtocol

/// Signed HTTP calls to head office.
public struct HeadOfficeClient: Sendable {
    public let link: HeadOfficeLink
    let http: HTTPClient
    /// The version of the contract this client speaks, on push (in the batch) and on pull (`protocolVersion=`).
    /// Always the current one in the product; tests set an older one to play a store of the release before.
    public let protocolVersion: Int

    public init(link: HeadOfficeLink, http: HTTPClient = .shared, protocolVersion: Int = SyncProtocolVersion.current) {
        self.link = link
        self.http = http
        self.protocolVersion = protocolVersion
    }

    /// Runs `body` with a client for `link`: the shared HTTP client, or, when the link names a CA file, an HTTP
    /// client of its own that trusts that CA, shut down when `body` returns or throws.
    public static func withClient<T: Sendable>(link: HeadOfficeLink, _ body: (HeadOfficeClient) async throws -> T) async throws -> T {
        guard let tls = try link.clientTLS() else { return try await body(HeadOfficeClient(link: link)) }
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                              configuration: HTTPClient.Configuration(tlsConfiguration: tls),
                              backgroundActivityLogger: Logger(label: "parcours.sync.http"))
        let result: T
        do {
            result = try await body(HeadOfficeClient(link: link, http: http))
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        return result
    }

    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// Head office could not be reached or answered 5xx: try again later.
        case unavailable(String)
        /// Head office refused the request (4xx): retrying the same request will not help.
        case refused(status: Int, SyncErrorBody)

        public var description: String {
            switch self {
            case .unavailable(let why): "head office unavailable: \(why)"
            case .refused(let status, let body): "head office refused the request (\(status) \(body.error)): \(body.reason)"
            }
        }
    }

    /// Sends `batch` as it is, with the version it names (``pushEvents(_:storeId:)`` names this client's).
    public func push(_ batch: PushBatch) async throws -> PushAcknowledgement {
        let body = try JSONEncoder().encode(batch)
        return try await call(method: .POST, path: "/v1/sync/push", body: body)
    }

    /// A batch of `events` at this client's protocol version.
    public func pushEvents(_ events: [SyncEvent], storeId: String) async throws -> PushAcknowledgement {
        try await push(PushBatch(protocolVersion: protocolVersion, storeId: storeId, events: events))
    }

    public func changes(after cursor: String?, limit: Int) async throws -> ChangePage {
        var query = "limit=\(limit)&protocolVersion=\(protocolVersion)"
        if let cursor, let escaped = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
            query += "&after=\(escaped)"
        }
        return try await call(method: .GET, path: "/v1/sync/changes?\(query)", body: Data())
    }

    private func call<Answer: Decodable>(method: HTTPMethod, path: String, body: Data) async throws -> Answer {
        let base = link.url.absoluteString.hasSuffix("/") ? String(link.url.absoluteString.dropLast()) : link.url.absoluteString
        let prefix = link.url.path.hasSuffix("/") ? String(link.url.path.dropLast()) : link.url.path
        let signed = try RequestSignature.sign(method: method.rawValue, pathAndQuery: prefix + path, body: body,
                                               credential: link.credential)
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json")
        for header in signed.all { request.headers.add(name: header.name, value: header.value) }
        if !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            let (seconds, attoseconds) = link.requestTimeout.components
            // AsyncHTTPClient keeps retrying a refused connection until this deadline: it bounds a failed attempt.
            response = try await http.execute(request, timeout: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw Failure.unavailable("\(error)")
        }
        let data = Data(bytes.readableBytesView)
        switch response.status.code {
        case 200..<300:
            do {
                return try JSONDecoder().decode(Answer.self, from: data)
            } catch {
                throw Failure.unavailable("head office's answer could not be read: \(error)")
            }
        case 400..<500:
            let body = (try? JSONDecoder().decode(SyncErrorBody.self, from: data))
                ?? SyncErrorBody(error: "http", reason: String(decoding: data.prefix(300), as: UTF8.self))
            throw Failure.refused(status: Int(response.status.code), body)
        default:
            throw Failure.unavailable("HTTP \(response.status.code)")
        }
    }
}
