import Foundation
import TestProcesses
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real `parcours hq serve` on a database of its own on the project's PostgreSQL cluster, with store doc-01
/// registered; the process is killed and the database dropped afterwards.
final class HeadOfficeProcess {
    let url: String
    let credential: String
    private let process: Process
    private let databaseName: String
    private let baseDatabaseURL: String

    static func withHeadOffice<T>(_ body: (HeadOfficeProcess) async throws -> T) async throws -> T {
        let node = try HeadOfficeProcess()
        defer { node.stop() }
        return try await body(node)
    }

    private init() throws {
        let base = try Self.clusterURL()
        let name = "doctor_test_\(UUID().uuidString.prefix(8).lowercased())"
        try Self.psql(base, "CREATE DATABASE \(name)")
        baseDatabaseURL = base
        databaseName = name
        let databaseURL = base.replacingOccurrences(of: "/parcours_hq", with: "/\(name)")
        let directory = FileManager.default.temporaryDirectory
        let added = try DoctorRun.parcours(
            ["hq", "store", "add", "--id", StoreFixture.storeId, "--name", "Doctor", "--region", "IDF", "--database-url", databaseURL],
            in: directory, environment: [:])
        guard added.status == 0, let line = added.lines.first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("parcours-store-1.") }) else {
            try? Self.psql(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw FixtureError("hq store add failed: \(added.output) \(added.errors)")
        }
        credential = line.trimmingCharacters(in: .whitespaces)
        let port = try freePort()
        url = "http://127.0.0.1:\(port)"
        process = Process()
        process.executableURL = try DoctorRun.binary()
        process.arguments = ["hq", "serve", "--host", "127.0.0.1", "--port", "\(port)", "--database-url", databaseURL]
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "PARCOURS_LOG_LEVEL": "critical"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !connectable(port) {
            guard Date() < deadline, process.isRunning else {
                stop()
                throw FixtureError("parcours hq serve did not start listening on \(port)")
            }
            usleep(100_000)
        }
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? Self.psql(baseDatabaseURL, "DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)")
    }

    /// PARCOURS_TEST_DATABASE_URL, else what config/postgres/pg-cluster prints.
    static func clusterURL() throws -> String {
        if let url = ProcessInfo.processInfo.environment["PARCOURS_TEST_DATABASE_URL"], !url.isEmpty { return url }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let url = try run("/bin/bash", [root.appendingPathComponent("config/postgres/pg-cluster").path, "url"])
        guard !url.isEmpty else { throw FixtureError("no PostgreSQL: run config/postgres/pg-cluster start (make test does)") }
        return url
    }

    static func psql(_ url: String, _ sql: String) throws {
        _ = try run("/usr/bin/psql", [url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-run-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = ((try? String(contentsOf: output, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else { throw FixtureError("\(executable) \(arguments.last ?? "") failed") }
        return text
    }
}

func freePort() throws -> Int {
    guard let port = TestProcesses.freePort() else { throw FixtureError("no free port") }
    return port
}

func connectable(_ port: Int) -> Bool { TestProcesses.connectable(port) }
