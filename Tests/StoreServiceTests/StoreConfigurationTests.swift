import Foundation
import Hummingbird
import HummingbirdTesting
import StoreCore
import Testing
@testable import StoreService

@Suite("Store configuration")
struct StoreConfigurationTests {
    func write(_ json: String) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.json")
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return (directory, path)
    }

    @Test("no file and no environment: the embedded defaults")
    func defaults() throws {
        let configuration = try StoreConfiguration.load(file: nil, environment: [:])
        #expect(configuration.service == StoreServiceSettings())
        #expect(configuration.storeId == nil)
        #expect(configuration.service.frontLanguages == ["fr", "en"])
    }

    @Test("kiosk.languages: a list in the file, in its order; PARCOURS_KIOSK_LANGUAGES (comma-separated) overrides it")
    func languages() throws {
        let (directory, path) = try write(#"{"kiosk":{"languages":["en"]}}"#)
        _ = directory
        #expect(try StoreConfiguration.load(file: path, environment: [:]).service.frontLanguages == ["en"])
        let overridden = try StoreConfiguration.load(file: path, environment: ["PARCOURS_KIOSK_LANGUAGES": "en, fr"])
        #expect(overridden.service.frontLanguages == ["en", "fr"])
        let environmentOnly = try StoreConfiguration.load(file: nil, environment: ["PARCOURS_KIOSK_LANGUAGES": "en,fr"])
        #expect(environmentOnly.service.frontLanguages == ["en", "fr"])
    }

    @Test("the messages say what is wrong with kiosk.languages")
    func languageProblems() throws {
        for (json, problem) in [
            (#"{"kiosk":{"languages":["fr","de"]}}"#, #"unknown language "de": the fronts have strings for fr, en only"#),
            (#"{"kiosk":{"languages":[]}}"#, "must list at least one language (known: fr, en)"),
            (#"{"kiosk":{"languages":["en","en"]}}"#, "en is listed twice"),
            (#"{"kiosk":{"languages":"fr"}}"#, "expected a list of strings"),
        ] {
            let (directory, path) = try write(json)
            _ = directory
            let error = #expect(throws: ConfigurationError.self) { try StoreConfiguration.load(file: path, environment: [:]) }
            #expect(error == ConfigurationError(key: "kiosk.languages", problem: problem), "\(json)")
        }
    }

    @Test("staff.sessionSeconds: a session of seconds, for tests and demos; it and staff.sessionMinutes exclude each other")
    func staffSessionSeconds() throws {
        let (directory, path) = try write(#"{"staff":{"sessionSeconds":10}}"#)
        _ = directory
        #expect(try StoreConfiguration.load(file: path, environment: [:]).service.staffSessionLifetime == 10)
        let fromEnvironment = try StoreConfiguration.load(file: nil, environment: ["PARCOURS_STAFF_SESSION_SECONDS": "30"])
        #expect(fromEnvironment.service.staffSessionLifetime == 30)
        #expect(try StoreConfiguration.load(file: nil, environment: ["PARCOURS_STAFF_SESSION_MINUTES": "2"]).service.staffSessionLifetime == 120)
        let both = #expect(throws: ConfigurationError.self) {
            try StoreConfiguration.load(file: path, environment: ["PARCOURS_STAFF_SESSION_MINUTES": "5"])
        }
        #expect(both == ConfigurationError(key: "staff.sessionSeconds", problem: "set staff.sessionMinutes or staff.sessionSeconds, not both"))
    }

    @Test("the file sets values; PARCOURS_* environment variables override it")
    func environmentOverridesFile() throws {
        let (directory, path) = try write(#"{"store":{"id":"paris-01","name":"Paris"},"http":{"host":"0.0.0.0","port":9000},"kiosk":{"idleTimeoutSeconds":60}}"#)
        _ = directory
        let configuration = try StoreConfiguration.load(file: path, environment: [
            "PARCOURS_HTTP_PORT": "9100", "PARCOURS_KIOSK_IDLE_TIMEOUT_SECONDS": "30", "HTTP_PORT": "1",
        ])
        #expect(configuration.storeId == "paris-01")
        #expect(configuration.storeName == "Paris")
        #expect(configuration.service.host == "0.0.0.0")
        #expect(configuration.service.port == 9100)
        // camelCase keys map to underscores: kiosk.idleTimeoutSeconds ← PARCOURS_KIOSK_IDLE_TIMEOUT_SECONDS.
        #expect(configuration.service.tapIdleTimeout == 30)
    }

    @Test("config/store.example.json, as shipped, loads: its comment key is skipped, every other key is known")
    func shippedExample() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/store.example.json").path
        let configuration = try StoreConfiguration.load(file: example, environment: [:])
        #expect(configuration.storeId == "paris-01")
        #expect(configuration.service.port == 8080)
        #expect(configuration.service.tapIdleTimeout == 45)
        #expect(configuration.service.frontLanguages == ["fr", "en"])
        #expect(configuration.deviceReaders.map(\.name) == ["Entrance kiosk", "Till 1"])
    }

    @Test("devices: each enrolled device gets its configured reader at start-up; one reader, one owner")
    func deviceReaders() async throws {
        let (directory, path) = try write(#"{"devices":[{"name":"Kiosk","reader":"Parcours Virtual A 00 00"},{"name":"Till","reader":"Kiosk Reader 00 00"}]}"#)
        _ = directory
        let configuration = try StoreConfiguration.load(file: path, environment: [:])
        #expect(configuration.deviceReaders == [.init(name: "Kiosk", reader: "Parcours Virtual A 00 00"),
                                                .init(name: "Till", reader: "Kiosk Reader 00 00")])
        let service = try await TestService(withStaff: false)
        let changes = try await DeviceReaderBindings.apply(configuration.deviceReaders, to: service.database)
        #expect(changes == ["Kiosk owns Parcours Virtual A 00 00", "Till owns Kiosk Reader 00 00"])
        let devices = try await service.database.devices()
        #expect(devices.first { $0.id == service.kiosk.device.id }?.boundReader == "Parcours Virtual A 00 00")
        #expect(devices.first { $0.id == service.till.device.id }?.boundReader == "Kiosk Reader 00 00")
        #expect(try await DeviceReaderBindings.apply(configuration.deviceReaders, to: service.database).isEmpty, "applied twice: no change")

        let unknown = await #expect(throws: ConfigurationError.self) {
            try await DeviceReaderBindings.apply([.init(name: "Kiosk 9", reader: "X")], to: service.database)
        }
        #expect(unknown?.key == "devices[0].name")
        #expect(unknown?.problem.contains("parcours device add") == true)
        // The revoked kiosk does not count as enrolled.
        let revoked = await #expect(throws: ConfigurationError.self) {
            try await DeviceReaderBindings.apply([.init(name: "Old kiosk", reader: "X")], to: service.database)
        }
        #expect(revoked?.key == "devices[0].name")
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        var json: String
        var environment: [String: String]
        var key: String
        var testDescription: String { key }
    }

    static let invalid: [Invalid] = [
        Invalid(json: #"{"http":{"port":70000}}"#, environment: [:], key: "http.port"),
        Invalid(json: #"{"http":{"port":"eighty"}}"#, environment: [:], key: "http.port"),
        Invalid(json: "{}", environment: ["PARCOURS_HTTP_PORT": "eighty"], key: "http.port"),
        Invalid(json: #"{"kiosk":{"idleTimeoutSeconds":1}}"#, environment: [:], key: "kiosk.idleTimeoutSeconds"),
        Invalid(json: #"{"staff":{"sessionMinutes":2.5}}"#, environment: [:], key: "staff.sessionMinutes"),
        Invalid(json: #"{"staff":{"sessionSeconds":2}}"#, environment: [:], key: "staff.sessionSeconds"),
        Invalid(json: #"{"staff":{"sessionSeconds":1.5}}"#, environment: [:], key: "staff.sessionSeconds"),
        Invalid(json: #"{"staff":{"sessionMinutes":5,"sessionSeconds":30}}"#, environment: [:], key: "staff.sessionSeconds"),
        Invalid(json: #"{"kiosk":{"languages":["fr","de"]}}"#, environment: [:], key: "kiosk.languages"),
        Invalid(json: #"{"kiosk":{"languages":[]}}"#, environment: [:], key: "kiosk.languages"),
        Invalid(json: #"{"kiosk":{"languages":["fr",1]}}"#, environment: [:], key: "kiosk.languages"),
        Invalid(json: #"{"kiosk":{"languages":"fr"}}"#, environment: [:], key: "kiosk.languages"),
        Invalid(json: "{}", environment: ["PARCOURS_KIOSK_LANGUAGES": "en,de"], key: "kiosk.languages"),
        Invalid(json: "{}", environment: ["PARCOURS_KIOSK_LANGUAGES": "en,,fr"], key: "kiosk.languages"),
        Invalid(json: #"{"http":{"port":[8080]}}"#, environment: [:], key: "http.port"),
        Invalid(json: #"{"http":{"prot":8080}}"#, environment: [:], key: "http.prot"),
        Invalid(json: #"{"store":{"id":"paris 01"}}"#, environment: [:], key: "store.id"),
        Invalid(json: #"{"devices":{"name":"Kiosk"}}"#, environment: [:], key: "devices"),
        Invalid(json: #"{"devices":[{"name":"Kiosk"}]}"#, environment: [:], key: "devices[0].reader"),
        Invalid(json: #"{"devices":[{"name":"Kiosk","reader":"R","pin":"1"}]}"#, environment: [:], key: "devices[0].pin"),
        Invalid(json: #"{"devices":[{"name":"Kiosk","reader":"R"},{"name":"Till","reader":"R"}]}"#, environment: [:],
                key: "devices[1].reader"),
        Invalid(json: #"{"tls":{"certificate":"cert.pem"}}"#, environment: [:], key: "tls.key"),
        Invalid(json: #"{"tls":{"key":"key.pem"}}"#, environment: [:], key: "tls.certificate"),
        Invalid(json: #"{"tls":{"certificate":"/nonexistent/cert.pem","key":"/nonexistent/key.pem"}}"#, environment: [:],
                key: "tls.certificate"),
    ]

    @Test("tls.certificate and tls.key: the service answers over HTTPS; a key that is not one stops start-up naming tls.key")
    func tls() async throws {
        let directory = try TemporaryDirectory()
        let certificate = directory.path("cert.pem"), key = directory.path("key.pem")
        try makeSelfSignedCertificate(certificate: certificate, key: key)
        let (configDirectory, path) = try write(#"{"tls":{"certificate":"\#(certificate)","key":"\#(key)"}}"#)
        _ = configDirectory
        let configuration = try StoreConfiguration.load(file: path, environment: [:])
        #expect(configuration.service.tls == .init(certificatePath: certificate, keyPath: key))

        var settings = configuration.service
        settings.port = 0  // any free port for the live test server
        let service = try await TestService(settings: settings, withStaff: false)
        try await service.application.test(.ahc(.https)) { client in
            let response = try await client.execute(uri: "/health", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentSecurityPolicy] != nil)
        }

        let error = #expect(throws: ConfigurationError.self) {
            try StoreConfiguration.load(file: nil, environment: ["PARCOURS_TLS_CERTIFICATE": certificate, "PARCOURS_TLS_KEY": certificate])
        }
        #expect(error?.key == "tls.key")
    }

    @Test("an invalid value stops start-up with an error naming the key", arguments: invalid)
    func invalidValues(_ invalid: Invalid) throws {
        let (directory, path) = try write(invalid.json)
        _ = directory
        let error = #expect(throws: ConfigurationError.self) {
            try StoreConfiguration.load(file: path, environment: invalid.environment)
        }
        #expect(error?.key == invalid.key, "\(String(describing: error))")
        #expect(error?.description.contains(invalid.key) == true)
    }

    @Test("a named file that does not exist is an error, not the defaults")
    func missingFile() throws {
        #expect(throws: ConfigurationError.self) {
            try StoreConfiguration.load(file: "/nonexistent/store.json", environment: [:])
        }
    }
}

/// A throwaway localhost certificate, made with the system's openssl so that no key is ever committed.
func makeSelfSignedCertificate(certificate: String, key: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                         "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=localhost"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestFailure("openssl req failed with \(process.terminationStatus)") }
}
