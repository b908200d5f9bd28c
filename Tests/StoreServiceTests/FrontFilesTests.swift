import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import StoreService

@Suite("Front files: config.json")
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
}
