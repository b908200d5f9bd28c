import Foundation
import HeadOffice
import HeadOfficeService
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SyncProtocol
import Testing

/// The e-commerce webhook over HTTP against a real PostgreSQL: API key refusals, strict bodies, idempotent updates.
@Suite("Digital profiles: webhook", .serialized)
struct DigitalWebhookTests {
    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var body: String
        var error: SyncErrorBody? { try? JSONDecoder().decode(SyncErrorBody.self, from: Data(body.utf8)) }
        var json: [String: String] {
            ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]).mapValues { "\($0)" }
        }
    }

    static func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, key: String?,
                     authorization: String? = nil, body: String) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let authorization { headers[.authorization] = authorization } else if let key { headers[.authorization] = "Bearer \(key)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: body)) { response in
            Reply(status: response.status, body: String(buffer: response.body))
        }
    }

    static func withWebhook(_ body: @escaping @Sendable (HeadOfficeDatabase, any TestClientProtocol) async throws -> Void) async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let app = try buildHeadOfficeApplication(api: HeadOfficeAPI(database: hq), host: "127.0.0.1", port: 0,
                                                 logger: HeadOfficeHarness.quietLogger("parcours.hq.http"))
            try await app.test(.router) { client in try await body(hq, client) }
        }
    }

    static let profile = #"{"email":"ana@example.com","emailVerified":true,"firstName":"Ana","consents":{"marketingEmail":{"granted":true,"at":"2025-03-14T09:30:00Z"}}}"#

    @Test("no key, a malformed header, a wrong key and a revoked key are refused with a JSON reason, and nothing is written")
    func refusals() async throws {
        try await Self.withWebhook { hq, client in
            let key = try await hq.addAPIKey(name: "shop")
            let old = try await hq.addAPIKey(name: "shop-old")
            try await hq.revokeAPIKey(name: "shop-old")
            let uri = "/v1/digital-profiles/C-1"
            let cases: [(String?, String?, HTTPResponse.Status, String, String)] = [
                (nil, nil, .unauthorized, "missing_api_key", "Authorization: Bearer"),
                (nil, "Basic dXNlcjpwYXNz", .unauthorized, "bad_authorization", "must be 'Bearer <API key>'"),
                ("pcek_" + String(key.dropFirst(5).reversed()), nil, .unauthorized, "unauthorized", "not known to head office"),
                ("hunter2", nil, .unauthorized, "unauthorized", "not a parcours API key"),
                (old, nil, .forbidden, "forbidden", "API key 'shop-old' was revoked"),
            ]
            for (presented, authorization, status, code, reason) in cases {
                for (method, path) in [(HTTPRequest.Method.put, uri), (.post, uri + "/touchpoints")] {
                    let reply = try await Self.call(client, method, path, key: presented, authorization: authorization, body: Self.profile)
                    #expect(reply.status == status, "\(method) \(code): \(reply.body)")
                    #expect(reply.error?.error == code && reply.error?.reason.contains(reason) == true, "\(reply.body)")
                }
            }
            #expect(try await hq.count("SELECT count(*)::bigint FROM profile") == 0)
            #expect(try await hq.strings("SELECT name || ' ' || (revoked_at IS NULL)::text FROM api_key ORDER BY name") == ["shop true", "shop-old false"])
            #expect(try await hq.count("SELECT count(*)::bigint FROM api_key WHERE key_hash = '\(key)' OR key_hash LIKE 'pcek_%'") == 0,
                    "only the SHA-256 of a key is stored")
        }
    }

    @Test("PUT creates then updates by e-commerce id, a retry changes nothing, strict bodies name the bad field, touchpoints are idempotent")
    func updates() async throws {
        try await Self.withWebhook { hq, client in
            let key = try await hq.addAPIKey(name: "shop")
            let created = try await Self.call(client, .put, "/v1/digital-profiles/C-1", key: key, body: Self.profile)
            #expect(created.status == .created, "\(created.body)")
            #expect(created.json["status"] == "created" && created.json["ecommerceId"] == "C-1")
            let profileId = try #require(created.json["profileId"])
            let retried = try await Self.call(client, .put, "/v1/digital-profiles/C-1", key: key, body: Self.profile)
            #expect(retried.status == .ok && retried.json["status"] == "unchanged" && retried.json["profileId"] == profileId)
            let renamed = try await Self.call(client, .put, "/v1/digital-profiles/C-1", key: key, body: #"{"lastName":"Lopez"}"#)
            #expect(renamed.json["status"] == "updated")
            #expect(try await hq.strings("SELECT first_name || ' ' || last_name || ' ' || email FROM profile") == ["Ana Lopez ana@example.com"])
            #expect(try await hq.strings("SELECT source FROM consent") == ["webhook"])

            let refused: [(String, String, String)] = [
                ("/v1/digital-profiles/C-1", #"{"firstName":"Ana","nickname":"A"}"#, "nickname: unknown field"),
                ("/v1/digital-profiles/C-1", #"{"emailVerified":"true"}"#, "emailVerified: must be true or false, got a string"),
                ("/v1/digital-profiles/C-1", #"{"firstName":42}"#, "firstName: must be a string, got a number"),
                ("/v1/digital-profiles/C-1", #"{"ecommerceId":"C-2"}"#, "ecommerceId: 'C-2' differs from the id in the URL"),
                ("/v1/digital-profiles/C-1", #"{"consents":{"marketingEmail":{"granted":true}}}"#, "consents.marketingEmail.at: is missing"),
                ("/v1/digital-profiles/C-1", #"{"consents":{"telepathy":{"granted":true,"at":"2025-01-01T00:00:00Z"}}}"#, "consents.telepathy: unknown consent purpose"),
                ("/v1/digital-profiles/C-1", #"["Ana"]"#, "body: must be a JSON object, got an array"),
                ("/v1/digital-profiles/C-1", "{", "body: is not valid JSON"),
                ("/v1/digital-profiles/C-1/touchpoints", #"{"kind":"onlineOrder","at":"2025-03-14T09:31:00Z","amountMinor":"45.99","currency":"EUR"}"#,
                 "amountMinor: must be a whole number of minor units"),
                ("/v1/digital-profiles/C-1/touchpoints", #"{"kind":"webVisit","at":"2025-03-14T09:31:00Z","price":1}"#, "price: unknown field"),
                ("/v1/digital-profiles/C-1/touchpoints", #"[{"kind":"webVisit","at":"2025-03-14T09:31:00Z"},{"kind":"webVisit","at":"soon"}]"#,
                 "[1].at: 'soon' is not an ISO 8601 date"),
            ]
            for (uri, body, reason) in refused {
                let method: HTTPRequest.Method = uri.hasSuffix("touchpoints") ? .post : .put
                let reply = try await Self.call(client, method, uri, key: key, body: body)
                #expect(reply.status == .badRequest && reply.error?.error == "invalid_field", "\(body): \(reply.body)")
                #expect(reply.error?.reason.contains(reason) == true, "\(body): \(reply.body)")
            }
            #expect(try await hq.strings("SELECT first_name || ' ' || last_name FROM profile") == ["Ana Lopez"], "refused bodies change nothing")

            let touchpoints = #"[{"kind":"onlineOrder","at":"2025-03-14T09:31:00Z","amountMinor":4599,"currency":"EUR"},{"kind":"webVisit","at":"2025-03-14T09:00:00Z"}]"#
            let added = try await Self.call(client, .post, "/v1/digital-profiles/C-1/touchpoints", key: key, body: touchpoints)
            #expect(added.status == .ok && added.json["added"] == "2" && added.json["alreadyKnown"] == "0", "\(added.body)")
            let again = try await Self.call(client, .post, "/v1/digital-profiles/C-1/touchpoints", key: key, body: touchpoints)
            #expect(again.json["added"] == "0" && again.json["alreadyKnown"] == "2")
            let unknown = try await Self.call(client, .post, "/v1/digital-profiles/C-404/touchpoints", key: key,
                                              body: #"{"kind":"webVisit","at":"2025-03-14T09:00:00Z"}"#)
            #expect(unknown.status == .notFound && unknown.error?.reason.contains("no customer has e-commerce id 'C-404'") == true)
            #expect(try await hq.count("SELECT count(*)::bigint FROM touchpoint") == 2)
        }
    }
}
