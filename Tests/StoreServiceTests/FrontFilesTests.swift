import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import StoreService

@Suite("Front files: config.json, the service worker")
struct FrontFilesTests {
    @Test("the kiosk's and the till's config.json carry kiosk.languages, in order")
    func configuredLanguages() async throws {
        let service = try await TestService(settings: StoreServiceSettings(tapIdleTimeout: 30, frontLanguages: ["en"]), withStaff: false)
        try await service.application.test(.router) { client in
            let kiosk = try await client.send(.get, "/kiosk/config.json", as: Caller(name: "none"))
            #expect(kiosk.status == .ok)
            #expect(kiosk.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(try kiosk.json()["languages"] as? [String] == ["en"])
            #expect(try kiosk.json()["idleTimeoutSeconds"] as? Int == 30)
            let till = try await client.send(.get, "/till/config.json", as: Caller(name: "none"))
            #expect(till.status == .ok)
            #expect(try till.json()["languages"] as? [String] == ["en"])
        }
        let defaults = FrontFiles.load(settings: StoreServiceSettings())
        let body = try #require(defaults.files["/till/config.json"]).body
        #expect(String(buffer: body) == #"{"languages":["fr","en"]}"#)
    }

    @Test("the service worker is served as JavaScript, filled in: the shell's files, never the API, and a version")
    func serviceWorker() async throws {
        let service = try await TestService(withStaff: false)
        try await service.application.test(.router) { client in
            let response = try await client.send(.get, "/sw.js", as: Caller(name: "none"))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(response.headers[.contentSecurityPolicy]?.contains("worker-src 'self'") == true)
            let source = response.text
            #expect(!source.contains("__SHELL_VERSION__") && !source.contains("__SHELL_PATHS__"), "placeholders left")
            let paths = try shellPaths(source)
            for path in ["/kiosk/", "/kiosk/kiosk.js", "/kiosk/config.json", "/till/", "/till/till.js", "/till/config.json",
                         "/shared.js", "/parcours.css", "/favicon.svg"] {
                #expect(paths.contains(path), "\(path) is not kept for an offline reload")
            }
            #expect(!paths.contains { $0.hasPrefix("/v1") || $0 == "/sw.js" || $0 == "/health" }, "\(paths)")
            // Every path it keeps is one the service serves.
            for path in paths {
                let file = try await client.send(.get, path, as: Caller(name: "none"))
                #expect(file.status == .ok, "\(path)")
            }
        }
    }

    @Test("a change to the shell (here the configured languages) is a new worker version, hence a new cache")
    func versionFollowsTheShell() throws {
        func version(_ settings: StoreServiceSettings) throws -> String {
            let source = String(buffer: try #require(FrontFiles.load(settings: settings).files["/sw.js"]).body)
            let match = try #require(source.firstMatch(of: /const VERSION = "([0-9a-f]+)";/))
            return String(match.1)
        }
        let french = try version(StoreServiceSettings())
        #expect(try version(StoreServiceSettings()) == french, "the same shell, the same version")
        #expect(try version(StoreServiceSettings(frontLanguages: ["en"])) != french)
        #expect(french.count == 16)
    }

    @Test("kiosk.js and till.js have a string table for every language the configuration accepts")
    func everyAcceptedLanguageIsTranslated() throws {
        let files = FrontFiles.load(settings: StoreServiceSettings())
        for front in ["/kiosk/kiosk.js", "/till/till.js"] {
            let source = String(buffer: try #require(files.files[front]).body)
            for language in StoreServiceSettings.translatedLanguages {
                #expect(source.contains("\n    \(language): {\n"), "\(front) has no \(language) strings")
            }
        }
    }

    private func shellPaths(_ source: String) throws -> [String] {
        let match = try #require(source.firstMatch(of: /const SHELL = (\[[^\]]*\]);/))
        return try #require(try JSONSerialization.jsonObject(with: Data(match.1.utf8)) as? [String])
    }
}
