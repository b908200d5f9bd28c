import Foundation
import StoreCore

/// A fresh directory under the system temp dir, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-store-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// 2026-01-01T00:00:00Z: tests use fixed times so that windows, cooldowns and expiry are deterministic.
let t0 = Date(timeIntervalSince1970: 1_767_225_600)

func minutes(_ count: Double) -> TimeInterval { count * 60 }
func hours(_ count: Double) -> TimeInterval { count * 3600 }
func days(_ count: Double) -> TimeInterval { count * 86_400 }

/// A store database on a real file, with the directory kept alive as long as the database.
struct TestStore {
    let directory: TemporaryDirectory
    let database: StoreDatabase
    var path: String { database.path }

    init(rules: LoyaltyRules = .default, storeId: String = "store-1", options: (inout StoreDatabase.Options) -> Void = { _ in }) async throws {
        directory = try TemporaryDirectory()
        var settings = StoreDatabase.Options(storeId: storeId, rules: rules)
        options(&settings)
        database = try await StoreDatabase.open(path: directory.path("store.sqlite"), options: settings)
    }
}

extension StoreDatabase {
    /// Signs up "Ada" with the given identifiers and no bonus surprises; returns the profile id.
    func signUpTestProfile(email: String = "ada@example.com", identifiers: TapIdentifiers = TapIdentifiers(),
                           at: Date = t0) async throws -> String {
        try await signUp(SignUpRequest(firstName: "Ada", lastName: "Lovelace", email: email, language: "en",
                                       identifiers: identifiers, at: at)).profile.id
    }

    func tap(_ identifiers: TapIdentifiers, at: Date, deviceId: String = "kiosk-1") async throws -> VisitOutcome {
        try await recordTap(Tap(identifiers: identifiers, deviceId: deviceId, reader: "ACS ACR122U 00 00", at: at))
    }
}
