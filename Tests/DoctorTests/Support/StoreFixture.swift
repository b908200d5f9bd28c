import Foundation
import PCSC
import Testing

/// A store as `parcours serve` would find it on a healthy PC: a database with one device enrolled per rig reader,
/// a settings file binding each device to its reader, and the identification secrets in the environment.
/// Each test breaks one piece of it and expects the doctor to name that piece, and only that one.
struct StoreFixture: Sendable {
    static let storeId = "doc-01"
    /// The loyalty key the cards in these tests are signed with (`k1`, 32 bytes of 0x11).
    static let loyaltyKey = String(repeating: "11", count: 32)

    let directory: URL
    /// Device name → reader, as written in `devices` of store.json.
    let bindings: [(name: String, reader: String)]

    var database: String { directory.appendingPathComponent("store.sqlite").path }
    var serviceConfig: String { directory.appendingPathComponent("store.json").path }

    var environment: [String: String] {
        [
            "PARCOURS_PAYMENT_TOKEN_SECRET": String(repeating: "5a", count: 32),
            "PARCOURS_LOYALTY_KEYS": "k1:\(Self.loyaltyKey)",
            "PARCOURS_SUN_META_KEY": String(repeating: "24", count: 16),
            "PARCOURS_SUN_FILE_KEY": String(repeating: "42", count: 16),
        ]
    }

    /// The rig's readers as pcscd lists them now. The rig must be running (make test starts it): these tests only
    /// share it, as the service would.
    static func rigReaders() async throws -> [String] {
        let names = try await CardAccess(name: "doctor-test").readerNames()
        guard !names.isEmpty else { throw FixtureError("pcscd offers no reader: is the rig running? (hardware/rig/pcscd-rig start)") }
        return names
    }

    static func make(readers: [String]) throws -> StoreFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-doctor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let bindings = readers.enumerated().map { index, reader in (name: "Device \(index)", reader: reader) }
        let fixture = StoreFixture(directory: directory, bindings: bindings)
        for (index, binding) in bindings.enumerated() {
            let run = try fixture.parcours(["device", "add", "--database", fixture.database, "--store-id", storeId,
                                            "--kind", index == 0 ? "kiosk" : "till", "--name", binding.name])
            guard run.status == 0 else { throw FixtureError("device add failed: \(run.output) \(run.errors)") }
        }
        try fixture.writeServiceConfig()
        return fixture
    }

    /// store.json with the store id, the device bindings, and `extra` top-level keys.
    func writeServiceConfig(devices: [(name: String, reader: String)]? = nil, extra: [String: Any] = [:]) throws {
        var object: [String: Any] = ["store": ["id": Self.storeId]]
        object["devices"] = (devices ?? bindings).map { ["name": $0.name, "reader": $0.reader] }
        for (key, value) in extra { object[key] = value }
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: serviceConfig))
    }

    func parcours(_ arguments: [String], environment extra: [String: String] = [:]) throws -> DoctorRun {
        var environment = environment
        for (key, value) in extra { environment[key] = value }
        return try DoctorRun.parcours(arguments, in: directory, environment: environment)
    }

    /// `parcours doctor` with this store's options (as the unit's ExecStart gives them to serve).
    func doctor(_ extra: [String] = [], environment: [String: String] = [:]) throws -> DoctorRun {
        try parcours(["doctor", "--database", database, "--service-config", serviceConfig, "--timeout", "5"] + extra,
                     environment: environment)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
