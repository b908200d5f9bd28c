import Foundation
import HeadOffice
import HeadOfficeService
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SyncProtocol
import Testing

/// The managers' routes over HTTP on the insight chain: sign-in and lockout, reports as JSON and CSV, the 360°
/// view of a merged customer, segments and consent-aware exports.
@Suite("Insight: the managers' API", .serialized)
struct InsightAPITests {
    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: String
        var object: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]) ?? [:] }
        var error: String? { object["error"] as? String }
    }

    static func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String? = nil,
                     body: String? = nil) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Reply(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }

    static func signIn(_ client: some TestClientProtocol, _ id: String, _ password: String) async throws -> Reply {
        try await call(client, .post, "/v1/manager/sessions", body: #"{"id":"\#(id)","password":"\#(password)"}"#)
    }

    static let password = "correct horse battery"

    @Test("sign-in: a wrong password and an unknown id get the same 401, five in a row lock the account (423), a session opens every route and ends at sign-out or expiry")
    func sessions() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await hq.addManager(id: "alice", name: "Alice Martin", password: Self.password)
            try await hq.addManager(id: "bob", name: "Bob Durand", password: Self.password)
            await #expect(throws: HeadOfficeError.self) { try await hq.addManager(id: "carol", name: "Carol", password: "short") }
            let app = try buildHeadOfficeApplication(api: HeadOfficeAPI(database: hq), host: "127.0.0.1", port: 0,
                                                 logger: HeadOfficeHarness.quietLogger("parcours.hq.http"))
            try await app.test(.router) { client in
                let anonymous = try await Self.call(client, .get, "/v1/stores")
                #expect(anonymous.status == .unauthorized && anonymous.error == "unauthenticated")
                let forged = try await Self.call(client, .get, "/v1/reports/stores?from=2026-11-01&to=2026-11-30", token: "pcms_forged")
                #expect(forged.status == .unauthorized)
                let typo = try await Self.call(client, .post, "/v1/manager/sessions", body: #"{"id":"alice","pasword":"x"}"#)
                #expect(typo.status == .badRequest && typo.body.contains("pasword"))
                let unknown = try await Self.signIn(client, "mallory", Self.password)
                let wrong = try await Self.signIn(client, "alice", "not the password")
                #expect(unknown.status == .unauthorized && wrong.status == .unauthorized)
                #expect(unknown.object["reason"] as? String == wrong.object["reason"] as? String, "no hint which ids exist")
                for _ in 0..<3 { _ = try await Self.signIn(client, "alice", "not the password") }
                let fifth = try await Self.signIn(client, "alice", "not the password")
                #expect(fifth.status.code == 423 && fifth.error == "locked")
                let lockedOut = try await Self.signIn(client, "alice", Self.password)
                #expect(lockedOut.status.code == 423, "even the right password waits out the lockout")

                let session = try await Self.signIn(client, "bob", Self.password)
                #expect(session.status == .created)
                let token = try #require(session.object["token"] as? String)
                #expect(session.object["name"] as? String == "Bob Durand")
                #expect(session.headers[.cacheControl] == "no-store")
                let stores = try await Self.call(client, .get, "/v1/stores", token: token)
                #expect(stores.status == .ok)
                #expect(try await Self.call(client, .delete, "/v1/manager/sessions/current", token: token).status == .noContent)
                #expect(try await Self.call(client, .get, "/v1/stores", token: token).status == .unauthorized)

                let old = try await hq.signInManager(id: "bob", password: Self.password, now: Date(timeIntervalSinceNow: -9 * 3600))
                let expired = try await Self.call(client, .get, "/v1/stores", token: old.token)
                #expect(expired.status == .unauthorized && (expired.object["reason"] as? String ?? "").contains("expired"))
            }
        }
    }

    @Test("reports as JSON and CSV, refusals naming the parameter; the 360° view of a merged alias answers for the survivor with a masked bank card and a timeline across web and stores; segments export only consenting people")
    func insight() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let chain = try await HeadOfficeHarness.withServer(hq) { url in try await InsightChain.build(hq, url: url) }
            try await hq.addManager(id: "alice", name: "Alice Martin", password: Self.password)
            let app = try buildHeadOfficeApplication(api: HeadOfficeAPI(database: hq), host: "127.0.0.1", port: 0,
                                                 logger: HeadOfficeHarness.quietLogger("parcours.hq.http"))
            try await app.test(.router) { client in
                let token = try #require(try await Self.signIn(client, "alice", Self.password).object["token"] as? String)

                // Reports.
                let json = try await Self.call(client, .get, "/v1/reports/stores?from=2026-11-01&to=2026-11-30&by=week&store=paris", token: token)
                #expect(json.status == .ok)
                let expected = try await hq.storeReport(scope: .store("paris"), period: try ReportPeriod(
                    from: try ReportDay(parsing: "2026-11-01", field: "f"), to: try ReportDay(parsing: "2026-11-30", field: "t")), by: .week)
                let decoder = JSONDecoder()
                #expect(try decoder.decode(StoreReport.self, from: Data(json.body.utf8)) == expected)
                let csv = try await Self.call(client, .get, "/v1/reports/stores?from=2026-11-01&to=2026-11-30&by=week&store=paris&format=csv", token: token)
                #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
                #expect(csv.headers[.contentDisposition]?.contains("attachment; filename=\"parcours-report-paris-2026-11-01-2026-11-30-week.csv\"") == true)
                let lines = csv.body.split(separator: "\r\n")
                #expect(lines.first?.hasPrefix("row,start,end,visits,unique_customers") == true)
                #expect(lines.count == expected.buckets.count + 2, "a header, one line per week, and the total")
                #expect(lines.last?.hasPrefix("total,2026-11-01,2026-11-30,\(expected.total.visits),\(expected.total.uniqueCustomers),") == true)
                for (query, word) in [("from=2026-11-01&to=2026-11-30&by=year", "by"), ("from=2026-13-01&to=2026-11-30", "from"),
                                      ("to=2026-11-30", "from"), ("from=2026-11-01&to=2026-11-30&store=paris&region=north", "not both"),
                                      ("from=2026-11-01&to=2026-11-30&format=xml", "format")] {
                    let refused = try await Self.call(client, .get, "/v1/reports/stores?\(query)", token: token)
                    #expect(refused.status == .badRequest && refused.body.contains(word), "\(query)")
                }
                let unknownStore = try await Self.call(client, .get, "/v1/reports/stores?from=2026-11-01&to=2026-11-30&store=atlantis", token: token)
                #expect(unknownStore.status == .notFound)
                let comments = try await Self.call(client, .get, "/v1/reports/comments?from=2026-11-01&to=2026-11-30&store=lyon&limit=3", token: token)
                #expect((comments.object["comments"] as? [[String: Any]])?.count == 3)
                #expect((comments.object["count"] as? Int ?? 0) > 3)
                let traced = try await Self.call(client, .get, "/v1/reports/rows?figure=detractors&from=2026-11-01&to=2026-11-30&store=lyon&format=csv", token: token)
                #expect(traced.body.hasPrefix("at,comment,deviceId,id,profileId,score,storeId\r\n"))

                // The 360° view, asked by the merged alias's id.
                let view = try await Self.call(client, .get, "/v1/customers/\(chain.aliasId)", token: token)
                #expect(view.status == .ok)
                #expect((view.object["id"] as? String)?.lowercased() == chain.survivorId && (view.object["requestedId"] as? String)?.lowercased() == chain.aliasId)
                #expect(!view.body.contains("ptok-"), "payment tokens are masked")
                let identifiers = try #require(view.object["identifiers"] as? [[String: Any]])
                #expect(identifiers.contains { $0["kind"] as? String == "paymentToken" && ($0["maskedValue"] as? String)?.hasPrefix("…") == true })
                let timeline = try #require(view.object["timeline"] as? [[String: Any]])
                let times = timeline.compactMap { $0["at"] as? String }
                #expect(times == times.sorted(), "oldest first")
                let kinds = Set(timeline.compactMap { $0["kind"] as? String })
                for kind in ["storeVisit", "purchase", "signUp", "webVisit", "onlineOrder", "merge", "consent"] {
                    #expect(kinds.contains(kind), "the timeline shows \(kind)")
                }
                let places = Set(timeline.compactMap { $0["place"] as? String })
                #expect(places.isSuperset(of: ["Store paris", "Store lille", "web"]), "\(places)")
                #expect(((view.object["aliases"] as? [[String: Any]]) ?? []).count >= 1)
                let page = try await Self.call(client, .get, "/v1/customers/\(chain.survivorId)?timelineLimit=3", token: token)
                #expect((page.object["timeline"] as? [Any])?.count == 3 && page.object["timelineTruncated"] as? Bool == true)
                let search = try await Self.call(client, .get, "/v1/customers?q=marie.online@example.com", token: token)
                #expect(((search.object["customers"] as? [[String: Any]])?.first?["id"] as? String)?.lowercased() == chain.survivorId)
                #expect(try await Self.call(client, .get, "/v1/customers/not-a-uuid", token: token).status == .badRequest)

                // Segments: everyone live is scored once; an email export holds only people who said yes to email.
                let refreshed = try await Self.call(client, .post, "/v1/segments/refresh", token: token)
                #expect(refreshed.status == .ok)
                let live = try await hq.count("SELECT count(*)::bigint FROM profile WHERE merged_into IS NULL AND erased_at IS NULL")
                #expect(refreshed.object["customers"] as? Int == live)
                var exported = 0
                for segment in HeadOfficeDatabase.segmentNames {
                    let name = segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!
                    let all = try await hq.segmentMembers(segment)
                    let consenting = try await hq.segmentMembers(segment, purpose: "marketingEmail")
                    #expect(Set(consenting.map(\.profileId)).isSubset(of: Set(all.map(\.profileId))))
                    for member in consenting {
                        let latest = try await hq.strings("""
                            SELECT granted::text FROM consent WHERE profile_id = '\(member.profileId)' AND purpose = 'marketingEmail' ORDER BY at DESC, id DESC LIMIT 1
                            """)
                        #expect(latest == ["true"] && member.email != nil)
                    }
                    #expect(!all.contains { $0.profileId.uuidString.lowercased() == chain.erasedId }, "the erased are in no segment")
                    let file = try await Self.call(client, .get, "/v1/segments/\(name)/members?format=csv&purpose=marketingEmail", token: token)
                    #expect(file.status == .ok && file.body.split(separator: "\r\n").count == consenting.count + 1)
                    exported += consenting.count
                }
                #expect(exported > 0)
                let withdrawn = try await hq.count("""
                    SELECT count(*)::bigint FROM profile p WHERE p.merged_into IS NULL AND p.erased_at IS NULL AND
                        (SELECT granted FROM consent c WHERE c.profile_id = p.id AND c.purpose = 'marketingEmail' ORDER BY at DESC, id DESC LIMIT 1) IS NOT TRUE
                    """)
                #expect(withdrawn > 0, "the chain has people an email export must leave out")
                let bad = try await Self.call(client, .get, "/v1/segments/Champions/members?purpose=carrierPigeon", token: token)
                #expect(bad.status == .badRequest && bad.body.contains("purpose"))
                #expect(try await Self.call(client, .get, "/v1/segments/Nobody/members", token: token).status == .notFound)
            }
        }
    }
}
