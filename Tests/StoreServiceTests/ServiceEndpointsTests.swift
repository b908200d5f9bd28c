import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import HummingbirdWebSocket
import StoreCore
import Synchronization
import Testing
@testable import StoreService

/// The value of the first sample named `name` in a Prometheus text exposition (gauges print as 1.0, counters as 1).
private func value(_ name: String, in text: String) -> Double? {
    text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
}

@Suite("Headers, health, metrics, OpenAPI, live taps")
struct ServiceEndpointsTests {
    @Test("security headers on every response, errors included; no-store on /v1 only")
    func securityHeaders() async throws {
        let service = try await TestService(withStaff: false)
        try await service.application.test(.router) { client in
            let kiosk = Caller(name: "kiosk", deviceToken: service.kiosk.token)
            for (path, caller) in [("/health", Caller(name: "none")), ("/v1/taps/current", kiosk),
                                   ("/v1/rewards", Caller(name: "none")), ("/nowhere", Caller(name: "none"))] {
                let response = try await client.send(.get, path, as: caller)
                #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(path)")
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(path)")
                let policy = try #require(response.headers[.contentSecurityPolicy], "\(path)")
                #expect(policy.hasPrefix("default-src 'self'"))
                #expect(policy.contains("frame-ancestors 'none'"))
                #expect(!policy.contains("unsafe-inline"))
                #expect((response.headers[.cacheControl] == "no-store") == path.hasPrefix("/v1"), "\(path)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(path)")
            }
            let missing = try await client.send(.get, "/nowhere", as: Caller(name: "none"))
            #expect(missing.status == .notFound)
            #expect(try missing.json()["error"] as? String == "notFound")
        }
    }

    @Test("health reports the database, the readers the serve loop saw and the head-office link")
    func health() async throws {
        let service = try await TestService(withStaff: false)
        await service.api.status.pcsc(available: true)
        await service.api.status.readerAdded(kioskReader)
        await service.api.status.readerAdded(tillReader)
        await service.api.status.readerRemoved(tillReader)
        try await service.application.test(.router) { client in
            let response = try await client.send(.get, "/health", as: Caller(name: "none"))
            #expect(response.status == .ok)
            let body = try response.json()
            #expect(body["database"] as? String == "ok")
            #expect(body["readers"] as? [String] == [kioskReader])
            #expect(body["pcsc"] as? String == "available")
            #expect(body["headOffice"] as? String == "not configured")
        }
    }

    @Test("metrics count taps by kind and result, time taps and requests, and show the outbox backlog")
    func metrics() async throws {
        let service = try await TestService(withStaff: false)
        try await service.tap(uid: "04A1B2C3D4E5F6", reader: kioskReader)
        try await service.tap(uid: "04A1B2C3D4E5F7", reader: kioskReader)
        try await service.application.test(.router) { client in
            _ = try await client.send(.get, "/v1/taps/current", as: Caller(name: "kiosk", deviceToken: service.kiosk.token))
            let response = try await client.send(.get, "/metrics", as: Caller(name: "none"))
            #expect(response.status == .ok)
            let text = response.text
            #expect(text.contains(#"parcours_taps_total{kind="cardUID",result="unknown"} 2"#), "\(text)")
            #expect(text.contains("parcours_tap_duration_seconds_count 2"), "\(text)")
            #expect(text.contains(#"parcours_http_request_duration_seconds_count{method="GET",route="/v1/taps/current",status="200"} 1"#), "\(text)")
            let pending = try await service.database.pendingOutboxCount()
            #expect(pending > 0)
            #expect(text.contains("parcours_outbox_pending_events \(pending)"), "\(text)")
        }
    }

    @Test("metrics show pcscd, each reader seen and gone, and no head-office link on a store that runs alone")
    func readerMetrics() async throws {
        let service = try await TestService(withStaff: false)
        try await service.application.test(.router) { client in
            // Before the reader loop has heard from pcscd: unknown counts as unavailable, no reader.
            let before = try await client.send(.get, "/metrics", as: Caller(name: "none")).text
            #expect(value("parcours_pcsc_available", in: before) == 0, "\(before)")
            #expect(value("parcours_readers_seen", in: before) == 0, "\(before)")
            #expect(!before.contains("parcours_reader_present{"), "\(before)")

            await service.api.status.pcsc(available: true)
            await service.api.status.readerAdded(kioskReader)
            await service.api.status.readerAdded(tillReader)
            await service.api.status.readerRemoved(tillReader)
            let text = try await client.send(.get, "/metrics", as: Caller(name: "none")).text
            #expect(value("parcours_pcsc_available", in: text) == 1, "\(text)")
            #expect(value("parcours_readers_seen", in: text) == 1, "\(text)")
            #expect(value(#"parcours_reader_present{reader="\#(kioskReader)"}"#, in: text) == 1, "\(text)")
            #expect(value(#"parcours_reader_present{reader="\#(tillReader)"}"#, in: text) == 0, "\(text)")
            #expect(value("parcours_headoffice_configured", in: text) == 0, "\(text)")
            #expect(value("parcours_headoffice_sync_ok", in: text) == 0, "\(text)")
            #expect(!text.contains("parcours_headoffice_seconds_since_last_sync"), "no link, so no age: \(text)")

            // pcscd going away takes every reader with it.
            await service.api.status.pcsc(available: false)
            let gone = try await client.send(.get, "/metrics", as: Caller(name: "none")).text
            #expect(value("parcours_pcsc_available", in: gone) == 0, "\(gone)")
            #expect(value("parcours_readers_seen", in: gone) == 0, "\(gone)")
            #expect(value(#"parcours_reader_present{reader="\#(kioskReader)"}"#, in: gone) == 0, "\(gone)")
        }
    }

    @Test("metrics follow the head-office link: connecting, synced, failing, and the pushed and applied totals as counters")
    func syncMetrics() async throws {
        let started = Date().addingTimeInterval(-120)
        let status = ServiceStatus(startedAt: started)
        let service = try await TestService(withStaff: false, status: status)
        try await service.application.test(.router) { client in
            func metrics() async throws -> String { try await client.send(.get, "/metrics", as: Caller(name: "none")).text }
            await status.headOffice("connecting", state: HeadOfficeSyncState())
            let connecting = try await metrics()
            #expect(value("parcours_headoffice_configured", in: connecting) == 1, "\(connecting)")
            #expect(value("parcours_headoffice_sync_ok", in: connecting) == 0, "\(connecting)")
            // Never synced: the age counts from the service's start.
            #expect((value("parcours_headoffice_seconds_since_last_sync", in: connecting) ?? 0) >= 119, "\(connecting)")
            #expect(value("parcours_headoffice_events_pushed_total", in: connecting) == 0, "\(connecting)")

            await status.headOffice("ok", state: HeadOfficeSyncState(lastSuccessAt: Date().addingTimeInterval(-3),
                                                                     pushedEvents: 40, appliedChanges: 7))
            let synced = try await metrics()
            #expect(value("parcours_headoffice_sync_ok", in: synced) == 1, "\(synced)")
            #expect(value("parcours_headoffice_sync_consecutive_failures", in: synced) == 0, "\(synced)")
            let age = try #require(value("parcours_headoffice_seconds_since_last_sync", in: synced), "\(synced)")
            #expect((2...30).contains(age), "\(synced)")
            #expect(value("parcours_headoffice_events_pushed_total", in: synced) == 40, "\(synced)")
            #expect(value("parcours_headoffice_changes_applied_total", in: synced) == 7, "\(synced)")
            #expect(synced.contains("# TYPE parcours_headoffice_events_pushed_total counter"), "\(synced)")

            // Two failed rounds after it: not ok, two failures, the age keeps counting from the last success.
            let lastSuccess = Date().addingTimeInterval(-600)
            await status.headOffice("unreachable", state: HeadOfficeSyncState(lastSuccessAt: lastSuccess, consecutiveFailures: 2,
                                                                              pushedEvents: 55, appliedChanges: 7))
            let failing = try await metrics()
            #expect(value("parcours_headoffice_sync_ok", in: failing) == 0, "\(failing)")
            #expect(value("parcours_headoffice_sync_consecutive_failures", in: failing) == 2, "\(failing)")
            #expect((value("parcours_headoffice_seconds_since_last_sync", in: failing) ?? 0) >= 599, "\(failing)")
            // The counters rose by what the engine pushed since the last scrape, and a second scrape adds nothing.
            #expect(value("parcours_headoffice_events_pushed_total", in: failing) == 55, "\(failing)")
            let again = try await metrics()
            #expect(value("parcours_headoffice_events_pushed_total", in: again) == 55, "\(again)")
            #expect(value("parcours_headoffice_changes_applied_total", in: again) == 7, "\(again)")
        }
    }

    @Test("the OpenAPI document lists exactly the routes the routers registered")
    func openAPIMatchesRoutes() async throws {
        let service = try await TestService(withStaff: false)
        let document = StoreAPI.loadOpenAPIDocument()
        let documented = Set(OpenAPIPaths.operations(in: document))
        #expect(!documented.isEmpty)
        let registered = Set((service.api.makeRouter().routes + service.api.makeWebSocketRouter().routes)
            .map { "\($0.method.rawValue) \($0.path.description)" })
        #expect(documented.subtracting(registered).sorted() == [], "documented but not routed")
        #expect(registered.subtracting(documented).sorted() == [], "routed but not documented")

        try await service.application.test(.router) { client in
            let served = try await client.send(.get, "/openapi.yaml", as: Caller(name: "none"))
            #expect(served.status == .ok)
            #expect(served.text == document)
        }
    }

    @Test("the live feed sends the current tap on connect, then each new tap on the device's own reader")
    func liveTaps() async throws {
        let service = try await TestService(withStaff: false)
        try await service.tap(uid: "04A1B2C3D4E5F6", reader: kioskReader)
        let received = Mutex<[String]>([])
        try await service.application.test(.live) { client in
            _ = try await client.ws("/v1/taps/live?token=\(service.kiosk.token)") { inbound, _, _ in
                var messages = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                guard case .text(let first) = try await messages.next() else { return }
                received.withLock { $0.append(first) }
                // A tap on the till must not reach the kiosk; the next kiosk tap must.
                try await service.tap(uid: "04F6E5D4C3B2A1", reader: tillReader)
                try await service.tap(uid: "04A1B2C3D4E5F7", reader: kioskReader)
                guard case .text(let second) = try await messages.next() else { return }
                received.withLock { $0.append(second) }
                // Returning closes the connection.
            }
        }
        let messages = try received.withLock { $0 }.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(messages.count == 2)
        #expect(messages.allSatisfy { $0["type"] as? String == "tap" && $0["customer"] as? String == "unknown" })
        #expect(Set(messages.compactMap { $0["tapRef"] as? String }).count == 2)
        // Both came from the kiosk's reader: the till's tap is still the till's current one, not the kiosk's.
        let kioskCurrent = await service.api.board.current(deviceId: service.kiosk.device.id)
        #expect(messages.last?["tapRef"] as? String == kioskCurrent?.tapRef)
    }

    @Test("the live feed refuses a missing or revoked token")
    func liveTapsNeedAToken() async throws {
        let service = try await TestService(withStaff: false)
        try await service.application.test(.live) { client in
            for path in ["/v1/taps/live", "/v1/taps/live?token=\(service.revoked.token)", "/v1/taps/live?token=bogus"] {
                let connected = Mutex(false)
                do {
                    try await client.ws(path) { _, _, _ in connected.withLock { $0 = true } }
                } catch {
                    // The upgrade was refused: what we want.
                }
                #expect(!connected.withLock { $0 }, "\(path)")
            }
            // And the plain API never takes the token from the query string.
            let viaQuery = try await client.execute(uri: "/v1/taps/current?token=\(service.kiosk.token)", method: .get)
            #expect(viaQuery.status == .unauthorized)
        }
    }
}

/// Reads `METHOD /path` pairs out of an OpenAPI YAML document: the keys under `paths:` at two spaces, and the
/// HTTP methods under each at four. Enough for our own document; not a YAML parser.
enum OpenAPIPaths {
    static func operations(in document: String) -> [String] {
        let methods: Set<String> = ["get", "post", "put", "patch", "delete", "head", "options"]
        var inPaths = false
        var currentPath: String?
        var operations: [String] = []
        for line in document.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if !line.hasPrefix(" ") {
                inPaths = line.hasPrefix("paths:")
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"),
                      let path = currentPath {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if methods.contains(String(key)) { operations.append("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }
}
