import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import GRDB
@testable import StoreCore
import Testing
import TestProcesses

/// A store on the previous release upgrades in place: its file, made by the previous schema with that schema's
/// SQL, is opened by this release.
@Suite("Upgrade from the previous release", .serialized)
struct UpgradeTests {
    @Test("the remaining migration runs once and every row survives")
    func migratesOnce() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        try PreviousRelease.makeDatabase(at: path, storeId: "paris-01")
        let before = try PreviousRelease.rowCounts(path)
        #expect(try PreviousRelease.appliedMigrations(path) == Array(StoreMigrations.names.dropLast()))

        let upgraded = try await StoreDatabase.open(path: path, options: .init(storeId: "paris-01"))
        #expect(upgraded.storeId == "paris-01")
        #expect(try await upgraded.check().isConsistent)
        #expect(try await upgraded.balance(profileId: PreviousRelease.profileId, at: t0 + days(2)) == PreviousRelease.balance)
        let marie = try #require(try await upgraded.findProfiles(.email("marie@example.com")).first)
        #expect(marie.firstName == "Marie" && marie.lastName == "Curie")
        #expect(try await upgraded.authenticateDevice(token: PreviousRelease.kioskToken).id == "kiosk-old")
        #expect(try await upgraded.pendingOutboxEvents().map(\.sequence) == [4, 5, 6])
        #expect(try await upgraded.restoredThroughSequence() == nil, "an upgrade is not a restore")
        try upgraded.close()

        let after = try PreviousRelease.rowCounts(path)
        // Opening upserts the rules' catalog (three rewards added, the old one deactivated, not deleted).
        #expect(after.filter { $0.key != "reward" } == before.filter { $0.key != "reward" })
        #expect(after["reward"] == before["reward"]! + LoyaltyRules.defaultRewards.count)
        #expect(try PreviousRelease.appliedMigrations(path) == StoreMigrations.names)

        // A second open runs nothing (v6 adds columns: run twice, it would fail on them).
        let again = try await StoreDatabase.open(path: path, options: .init(storeId: "paris-01"))
        try again.close()
        #expect(try PreviousRelease.appliedMigrations(path) == StoreMigrations.names)
        #expect(try PreviousRelease.rowCounts(path) == after)
    }

    @Test("parcours serve starts on the previous release's file and serves")
    func serveUpgrades() async throws {
        let binary = try #require(CrashDurabilityTests.parcoursBinary(), "build the parcours product next to the tests (make test does)")
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        try PreviousRelease.makeDatabase(at: path, storeId: "paris-01")
        let port = try Self.freePort()

        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--database", path, "--store-id", "paris-01", "--port", "\(port)"]
        process.currentDirectoryURL = directory.url
        var environment = ProcessInfo.processInfo.environment
        // A pcscd socket nobody listens on: the service reports pcscd unavailable and serves anyway.
        environment["PCSCLITE_CSOCK_NAME"] = directory.path("no-pcscd.comm")
        environment["PARCOURS_LOG_LEVEL"] = "error"
        environment.removeValue(forKey: "PARCOURS_HEADOFFICE_URL")
        process.environment = environment
        let log = directory.path("serve.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }

        var health: (Int, String)?
        for _ in 0..<300 where health?.0 != 200 {
            health = try? await Self.get("http://127.0.0.1:\(port)/health")
            if health?.0 != 200 { try await Task.sleep(for: .milliseconds(100)) }
            if !process.isRunning { break }
        }
        let serveLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(health?.0 == 200, "serve log: \(serveLog.suffix(2000))")
        #expect(health?.1.contains("\"database\"") == true, "\(health?.1 ?? "")")

        // The kiosk enrolled by the previous release still signs in with its token and asks for its greeting.
        let greeting = try await Self.get("http://127.0.0.1:\(port)/v1/taps/current", token: PreviousRelease.kioskToken)
        #expect(greeting.0 == 404 && greeting.1.contains("noCurrentTap"), "\(greeting)")
        let stranger = try await Self.get("http://127.0.0.1:\(port)/v1/taps/current", token: "not-a-token")
        #expect(stranger.0 == 401)

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try PreviousRelease.appliedMigrations(path) == StoreMigrations.names)
        let reopened = try await StoreDatabase.open(path: path, options: .init(storeId: "paris-01"))
        #expect(try await reopened.check().isConsistent)
        #expect(try await reopened.balance(profileId: PreviousRelease.profileId, at: t0 + days(2)) == PreviousRelease.balance)
        try reopened.close()
    }

    static func get(_ url: String, token: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 5
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    static func freePort() throws -> Int {
        guard let port = TestProcesses.freePort() else { throw StoreError(.invalidArgument, "no free port") }
        return port
    }
}
