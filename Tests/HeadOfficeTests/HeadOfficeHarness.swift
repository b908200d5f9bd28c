import Foundation
import HeadOffice
import HeadOfficeService
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import StoreCore
import StoreSync
import SyncProtocol
import Testing

/// A real PostgreSQL database of its own for one test, on the project's cluster (config/postgres/pg-cluster,
/// started by `make test`), dropped afterwards. There is no fallback: without the server the tests fail and say how
/// to start it.
enum HeadOfficeHarness {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func baseURL() throws -> String {
        if let url = ProcessInfo.processInfo.environment["PARCOURS_TEST_DATABASE_URL"], !url.isEmpty { return url }
        let script = packageRoot.appendingPathComponent("config/postgres/pg-cluster").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "url"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let url = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !url.isEmpty else {
            throw HarnessError("no PostgreSQL for the head-office tests: run 'config/postgres/pg-cluster start' (make test does)")
        }
        return url
    }

    static func quietLogger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .error
        return logger
    }

    /// Runs `body` with a migrated, empty head-office database (migrated only up to `migratedUpTo` when given,
    /// and then `body` also gets the database's URL, for real processes to upgrade it).
    static func withDatabase<T: Sendable>(_ body: @Sendable (HeadOfficeDatabase) async throws -> T) async throws -> T {
        try await withDatabase(migratedUpTo: nil) { database, _ in try await body(database) }
    }

    static func withDatabase<T: Sendable>(migratedUpTo target: String?,
                                          _ body: @Sendable (HeadOfficeDatabase, String) async throws -> T) async throws -> T {
        let base = try baseURL()
        let name = "hq_test_\(UUID().uuidString.prefix(8).lowercased())"
        do {
            try await withClient(url: base) { client in
                try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: quietLogger("test"))
            }
        } catch let error as PSQLError {
            throw HarnessError("creating the test database: \(String(reflecting: error))")
        }
        let url = base.replacingOccurrences(of: "/parcours_hq", with: "/\(name)")
        do {
            let result = try await withClient(url: url) { client in
                let database = HeadOfficeDatabase(client: client, logger: quietLogger("parcours.hq.test"))
                try await HeadOfficeMigrations.migrate(database, upTo: target)
                return try await body(database, url)
            }
            try await drop(name, base: base)
            return result
        } catch let error as PSQLError {
            try? await drop(name, base: base)
            // PSQLError's description hides the server's message; a failed test needs it.
            throw HarnessError(String(reflecting: error))
        } catch {
            try? await drop(name, base: base)
            throw error
        }
    }

    /// DROP … WITH (FORCE) refuses while an autovacuum worker is in the database, unless the role may signal it
    /// (pg-cluster grants pg_signal_backend; an older cluster may lack the grant): the worker soon leaves, so try again.
    private static func drop(_ name: String, base: String) async throws {
        try await withClient(url: base) { client in
            for attempt in 1...40 {
                do {
                    try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: quietLogger("test"))
                    return
                } catch let error as PSQLError where attempt < 40 {
                    _ = error
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
        }
    }

    static func withClient<T: Sendable>(url: String, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try HeadOfficeDatabase.configuration(url: url), backgroundLogger: quietLogger("pool"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Head office on a real port, for stores to sync with over HTTP.
    /// With `tls`, the node speaks HTTPS only and the URL is https.
    /// `projectionWorker` false leaves the events pushed to the node unapplied until a pull (or a test) applies them.
    static func withServer<T: Sendable>(_ database: HeadOfficeDatabase, tls: HeadOfficeTLS? = nil, projectionWorker: Bool = true,
                                        _ body: @Sendable (URL) async throws -> T) async throws -> T {
        let app = try buildHeadOfficeApplication(api: HeadOfficeAPI(database: database), host: "127.0.0.1", port: 0, tls: tls,
                                                 logger: quietLogger("parcours.hq.http"))
        // The node's background projection runs beside it, as in `parcours hq serve`.
        let worker = ProjectionWorker(database: database, logger: quietLogger("parcours.hq.projection"))
        let projecting = Task { if projectionWorker { try await worker.run() } }
        do {
            let result = try await app.test(.live) { client in
                let port = try #require(client.port)
                return try await body(URL(string: "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)")!)
            }
            projecting.cancel()
            _ = await projecting.result
            return result
        } catch {
            projecting.cancel()
            _ = await projecting.result
            throw error
        }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A store on its own SQLite file, with its credential and sync engine.
struct TestStore: Sendable {
    let id: String
    let database: StoreDatabase
    let engine: SyncEngine
    let credential: StoreCredential
    let directory: URL

    static func make(_ id: String, headOffice: HeadOfficeDatabase, url: URL, batchSize: Int = 500,
                     requestTimeout: Duration = .seconds(20), region: String = "Île-de-France") async throws -> TestStore {
        let credential = try await headOffice.addStore(id: id, name: "Store \(id)", region: region)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-hq-tests-\(UUID().uuidString)")
        let database = try await StoreDatabase.open(path: directory.appendingPathComponent("\(id).sqlite").path,
                                                    options: .init(storeId: id, synchronous: .normal))
        let link = try HeadOfficeLink(url: url, credential: credential, batchSize: batchSize, pageSize: 50, requestTimeout: requestTimeout)
        let engine = SyncEngine(database: database, client: HeadOfficeClient(link: link), logger: HeadOfficeHarness.quietLogger("sync"))
        return TestStore(id: id, database: database, engine: engine, credential: credential, directory: directory)
    }

    func sync() async throws { try await engine.syncOnce() }

    func tap(_ identifiers: TapIdentifiers, at: Date = Date()) async throws -> VisitOutcome {
        try await database.recordTap(Tap(identifiers: identifiers, deviceId: "kiosk-\(id)", reader: "Kiosk Reader 00 00", at: at))
    }
}

/// Reads head office's tables the way a test wants them: one number or one column.
extension HeadOfficeDatabase {
    func count(_ sql: String) async throws -> Int {
        try await read { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: HeadOfficeHarness.quietLogger("q"))
                .decode(Int.self).gathered().first ?? -1
        }
    }

    func strings(_ sql: String) async throws -> [String] {
        try await read { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: HeadOfficeHarness.quietLogger("q"))
                .decode(String?.self).gathered().map { $0 ?? "NULL" }
        }
    }
}

extension AsyncSequence {
    func gathered() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
