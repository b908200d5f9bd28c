import Foundation
import HeadOffice
import HeadOfficeService
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SyncProtocol
import Testing

/// Store authentication over real HTTP: every refusal is a JSON 401/403 with a reason.
@Suite("Head office: signed store requests", .serialized)
struct HeadOfficeAuthTests {
    static func signedHeaders(_ method: String, _ path: String, _ body: Data, _ credential: StoreCredential,
                              now: Date = Date()) throws -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for header in try RequestSignature.sign(method: method, pathAndQuery: path, body: body, credential: credential, now: now).all {
            fields[HTTPField.Name(header.name)!] = header.value
        }
        return fields
    }

    static func reason(_ response: TestResponse) throws -> SyncErrorBody {
        try JSONDecoder().decode(SyncErrorBody.self, from: Data(response.body.readableBytesView))
    }

    @Test("unsigned, altered, replayed, stale, foreign and revoked requests are refused; a signed one is served")
    func refusals() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let paris = try await hq.addStore(id: "paris", name: "Paris")
            let lyon = try await hq.addStore(id: "lyon", name: "Lyon")
            let app = try buildHeadOfficeApplication(api: HeadOfficeAPI(database: hq), host: "127.0.0.1", port: 0,
                                                 logger: HeadOfficeHarness.quietLogger("http"))
            try await app.test(.router) { client in
                let body = try JSONEncoder().encode(PushBatch(storeId: "paris", events: []))

                let unsigned = try await client.execute(uri: "/v1/sync/push", method: .post, body: ByteBuffer(bytes: body))
                #expect(unsigned.status == .unauthorized)
                #expect(try Self.reason(unsigned).reason.contains("X-Parcours-Store is missing"))

                let good = try Self.signedHeaders("POST", "/v1/sync/push", body, paris)
                let served = try await client.execute(uri: "/v1/sync/push", method: .post, headers: good, body: ByteBuffer(bytes: body))
                #expect(served.status == .ok)
                let ack = try JSONDecoder().decode(PushAcknowledgement.self, from: Data(served.body.readableBytesView))
                #expect(ack.acknowledgedSequence == 0)

                let replay = try await client.execute(uri: "/v1/sync/push", method: .post, headers: good, body: ByteBuffer(bytes: body))
                #expect(replay.status == .unauthorized)
                #expect(try Self.reason(replay).reason.contains("replay"))

                let altered = try Self.signedHeaders("POST", "/v1/sync/push", body, paris)
                let otherBody = try JSONEncoder().encode(PushBatch(storeId: "paris", events: [], ))
                var tampered = otherBody
                tampered.append(contentsOf: Array(" ".utf8))
                let alteredResponse = try await client.execute(uri: "/v1/sync/push", method: .post, headers: altered, body: ByteBuffer(bytes: tampered))
                #expect(alteredResponse.status == .unauthorized)
                #expect(try Self.reason(alteredResponse).reason.contains("altered"))

                let stale = try Self.signedHeaders("POST", "/v1/sync/push", body, paris, now: Date().addingTimeInterval(-900))
                let staleResponse = try await client.execute(uri: "/v1/sync/push", method: .post, headers: stale, body: ByteBuffer(bytes: body))
                #expect(staleResponse.status == .unauthorized)
                #expect(try Self.reason(staleResponse).reason.contains("clock"))

                // Lyon signs correctly but pushes Paris's batch: forbidden, not unauthorized.
                let foreign = try Self.signedHeaders("POST", "/v1/sync/push", body, lyon)
                let foreignResponse = try await client.execute(uri: "/v1/sync/push", method: .post, headers: foreign, body: ByteBuffer(bytes: body))
                #expect(foreignResponse.status == .forbidden)
                #expect(try Self.reason(foreignResponse).reason.contains("only its own events"))

                // A key that is not Lyon's, claiming to be Lyon.
                let impostor = try Self.signedHeaders("GET", "/v1/sync/changes", Data(), StoreCredential(storeId: "lyon"))
                let impostorResponse = try await client.execute(uri: "/v1/sync/changes", method: .get, headers: impostor)
                #expect(impostorResponse.status == .unauthorized)

                try await hq.revokeStore(id: "lyon")
                let revoked = try Self.signedHeaders("GET", "/v1/sync/changes", Data(), lyon)
                let revokedResponse = try await client.execute(uri: "/v1/sync/changes", method: .get, headers: revoked)
                #expect(revokedResponse.status == .unauthorized)
                #expect(try Self.reason(revokedResponse).reason.contains("revoked"))

                let unknown = try Self.signedHeaders("GET", "/v1/sync/changes", Data(), StoreCredential(storeId: "nantes"))
                let unknownResponse = try await client.execute(uri: "/v1/sync/changes", method: .get, headers: unknown)
                #expect(unknownResponse.status == .unauthorized)
                #expect(try Self.reason(unknownResponse).reason.contains("not registered"))

                let badBody = Data(#"{"storeId":"paris","events":"many"}"#.utf8)
                let badBodyHeaders = try Self.signedHeaders("POST", "/v1/sync/push", badBody, paris)
                let badBodyResponse = try await client.execute(uri: "/v1/sync/push", method: .post, headers: badBodyHeaders, body: ByteBuffer(bytes: badBody))
                #expect(badBodyResponse.status == .badRequest)
                #expect(try Self.reason(badBodyResponse).reason.contains("protocolVersion") || (try Self.reason(badBodyResponse).reason.contains("events")))
            }
        }
    }
}
