import AsyncHTTPClient
import Foundation
import HeadOffice
import HeadOfficeService
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import StoreCore
import StoreSync
import SyncProtocol

/// Head office on PostgreSQL: ingest beside PostgreSQL's own COPY of the same rows in the same database and run,
/// a store's catch-up after being offline, and a hundred stores syncing at once over HTTP.
///
/// Needs `PARCOURS_BENCH_DATABASE_URL` (`make bench` passes the project cluster's, `config/postgres/pg-cluster url`);
/// every measurement gets a database of its own, created and dropped by the suite. Scale with
/// `PARCOURS_BENCH_HQ_EVENTS` (ingest, default 50 000), `PARCOURS_BENCH_HQ_CATCHUP_EVENTS` (default 200 000),
/// `PARCOURS_BENCH_HQ_STORES` (default 100), `PARCOURS_BENCH_HQ_RUNS` (ingest repetitions, default 3) and
/// `PARCOURS_BENCH_HQ_CATCHUP_BATCH` (the most events a catch-up push may carry, default 5 000, the store's default;
/// its pushes start at 500 and grow while they are quick, as a store's do);
/// `PARCOURS_BENCH_HQ_KEEP=1` keeps the last ingest run's database (its name goes to stderr) to study its plans.
enum HeadOfficeBenchmarks {
    static let batchSize = 500
    static let storeBatches = 10
    static let storeBatchSize = 200
    /// `HeadOfficeLink`'s default request timeout, in milliseconds.
    static let defaultTimeout = 30_000.0

    static func run() async throws -> [String] {
        let environment = ProcessInfo.processInfo.environment
        guard let baseURL = environment["PARCOURS_BENCH_DATABASE_URL"], !baseURL.isEmpty else {
            throw BenchError("hq: set PARCOURS_BENCH_DATABASE_URL to a PostgreSQL URL whose role has CREATEDB (make bench passes config/postgres/pg-cluster's)")
        }
        let ingestCount = max(1000, Int(environment["PARCOURS_BENCH_HQ_EVENTS"] ?? "") ?? 50_000)
        let catchUpCount = max(ingestCount, Int(environment["PARCOURS_BENCH_HQ_CATCHUP_EVENTS"] ?? "") ?? 200_000)
        let storeCount = max(2, Int(environment["PARCOURS_BENCH_HQ_STORES"] ?? "") ?? 100)
        let runs = max(1, Int(environment["PARCOURS_BENCH_HQ_RUNS"] ?? "") ?? 3)
        let catchUpBatch = min(PushBatch.maximumEvents, max(1, Int(environment["PARCOURS_BENCH_HQ_CATCHUP_BATCH"] ?? "") ?? PushBatch.maximumEvents))
        let logger = TapBenchmarks.quietLogger()
        let postgres = BenchPostgres(baseURL: baseURL, logger: logger)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-hq-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        var lines = ["head office on \(try await postgres.serverDescription())"]

        progress("hq: generating \(catchUpCount) store events with a real StoreDatabase…")
        let storePath = directory.appendingPathComponent("store.sqlite").path
        let traffic = try await StoreTraffic.generate(path: storePath, events: catchUpCount, logger: logger)
        let events = try await StoreTraffic.events(path: storePath, through: Int64(ingestCount))
        lines.append("  traffic: \(traffic.events) outbox events from \(traffic.operations) operations of a real StoreDatabase (SQLite, synchronous=NORMAL), \(String(format: "%.0f", traffic.simulatedHours)) simulated hours, written in \(String(format: "%.0f", traffic.seconds)) s")
        lines.append("  the first \(events.count): \(mix(events))")

        // 1. Ingest beside COPY.
        var ingest: [Double] = [], apply: [Double] = [], copyAll: [Double] = [], copyBatched: [Double] = []
        for run in 0..<runs {
            progress("hq: ingest run \(run + 1) of \(runs)…")
            let result = try await ingestAndCopy(events: events, postgres: postgres, copyFirst: run % 2 == 1,
                                                 keep: run == runs - 1 && environment["PARCOURS_BENCH_HQ_KEEP"] == "1")
            ingest.append(result.ingest)
            apply.append(result.apply)
            copyAll.append(result.copyAll)
            copyBatched.append(result.copyBatched)
        }
        let ingestRate = Double(events.count) / median(ingest)
        let copyRate = Double(events.count) / median(copyAll)
        let batchedRate = Double(events.count) / median(copyBatched)
        let applyRate = Double(events.count) / median(apply)
        let ratio = ingestRate / copyRate
        lines.append("  ingest, \(events.count) events in batches of \(batchSize) through HeadOfficeDatabase.receive (one transaction each, what a push waits for), median of \(runs) runs:")
        lines.append("    ingest \(rate(ingestRate)) events/s (\(seconds(median(ingest)))) | COPY of the same rows into a table like store_event, one statement: \(rate(copyRate)) rows/s (\(seconds(median(copyAll))))")
        lines.append("    ingest is \(percent(ratio)) of COPY (goal ≥ 50%: \(ratio >= 0.5 ? "met" : "not met")); COPY per batch of \(batchSize), one commit each: \(rate(batchedRate)) rows/s, ingest \(percent(ingestRate / batchedRate)) of it")
        lines.append("    then applied (HeadOfficeDatabase.projectPending, steps of \(HeadOfficeDatabase.projectionStepLimit)): \(rate(applyRate)) events/s (\(seconds(median(apply)))); receive and apply one after the other: \(rate(Double(events.count) / (median(ingest) + median(apply)))) events/s, \(percent(Double(events.count) / (median(ingest) + median(apply)) / copyRate)) of COPY")
        lines.append("    runs: ingest \(ingest.map(seconds).joined(separator: ", ")); apply \(apply.map(seconds).joined(separator: ", ")); COPY \(copyAll.map(seconds).joined(separator: ", ")); batched COPY \(copyBatched.map(seconds).joined(separator: ", "))")

        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: storeCount + 8)))
        // A failed measurement is reported with PostgreSQL's own words (PSQLError's description hides them) and
        // does not hide the others' figures.
        var failures: [String] = []
        do {
            // 2. A store back online after two days.
            progress("hq: catch-up of \(traffic.events) events…")
            let catchUp = try await catchUp(storePath: storePath, directory: directory, postgres: postgres, http: http,
                                            batchSize: catchUpBatch, logger: logger)
            lines.append("  catch-up: a store offline with \(catchUp.events) events (SQLite, synchronous=FULL), real SyncEngine.pushAll() in batches of \(PushBatchSizer(largest: catchUpBatch, requestTimeout: .seconds(30)).current) growing to at most \(catchUpBatch) (\(catchUp.pushes) pushes, the last sized \(catchUp.finalBatch)) over HTTP to a live head-office node (Hummingbird, 127.0.0.1):")
            lines.append("    outbox acknowledged in \(seconds(catchUp.seconds)), \(rate(Double(catchUp.events) / catchUp.seconds)) events/s (goal < 20 s: \(catchUp.seconds < 20 ? "met" : "not met")); every event applied at head office (the node's ProjectionWorker) \(seconds(catchUp.applied)) after the start")
        } catch {
            failures.append("  catch-up failed: \(String(reflecting: error))")
        }
        do {
            // 3. A hundred stores at once.
            progress("hq: \(storeCount) stores syncing at once…")
            let template = Array(events.prefix(storeBatches * storeBatchSize))
            let chain = try await storesAtOnce(template: template, stores: storeCount, postgres: postgres, http: http, logger: logger)
            lines.append("  \(storeCount) stores at once, each pushing \(storeBatches) batches of \(storeBatchSize) events (its own ids, cards and customers) over HTTP, signed, to one node with \(BenchPostgres.nodeConnections) database connections:")
            lines.append("    batch latency p50 \(format(chain.latencies.median, digits: 1)) p99 \(format(chain.latencies.p99, digits: 1)) (\(chain.latencies.count) batches, \(chain.latencies.values.filter { $0 > defaultTimeout }.count) over the store's default \(Int(defaultTimeout / 1000)) s request timeout) | \(chain.events) events in \(seconds(chain.seconds)): \(rate(Double(chain.events) / chain.seconds)) events/s (no goal); all applied \(seconds(chain.applied)) after the start")
        } catch {
            failures.append("  \(storeCount) stores at once failed: \(String(reflecting: error))")
        }
        try? await http.shutdown()
        if !failures.isEmpty {
            for line in lines + failures { print(line) }
            throw BenchError("hq: \(failures.count) measurement(s) failed, see above")
        }
        return lines
    }

    // MARK: - Ingest and COPY

    /// One run on a fresh database: the events through `ingest`, then (or first) the same rows by COPY into two
    /// tables made `LIKE store_event INCLUDING ALL` (same columns, defaults, checks, primary key and unique id).
    static func ingestAndCopy(events: [SyncEvent], postgres: BenchPostgres, copyFirst: Bool, keep: Bool) async throws
        -> (ingest: Double, apply: Double, copyAll: Double, copyBatched: Double) {
        let storeId = StoreTraffic.templateStoreId
        let batches = stride(from: 0, to: events.count, by: batchSize).map {
            PushBatch(storeId: storeId, events: Array(events[$0..<min($0 + batchSize, events.count)]))
        }
        // The COPY data is encoded before the clock starts: the reference is PostgreSQL's speed alone.
        let copyData = batches.map { copyText($0.events, storeId: storeId) }
        return try await postgres.withFreshDatabase(keep: keep) { hq, client in
            _ = try await hq.addStore(id: storeId, name: "Bench store")
            try await client.query("CREATE TABLE copy_all (LIKE store_event INCLUDING ALL)", logger: postgres.logger)
            try await client.query("CREATE TABLE copy_batched (LIKE store_event INCLUDING ALL)", logger: postgres.logger)
            let clock = ContinuousClock()
            func timedIngest() async throws -> Double {
                let start = clock.now
                for batch in batches {
                    let answer = try await hq.receive(batch, authenticatedStore: storeId)
                    guard answer.accepted == batch.events.count, answer.acknowledgedSequence == batch.events.last?.sequence else {
                        throw BenchError("hq: ingest acknowledged \(answer.acknowledgedSequence) with \(answer.accepted) accepted, gaps \(answer.gaps)")
                    }
                }
                return StoreBenchmarks.seconds(clock.now - start)
            }
            func timedApply() async throws -> Double {
                let start = clock.now
                let applied = try await hq.projectPending(storeId: storeId)
                guard applied == events.count else { throw BenchError("hq: applied \(applied) events of \(events.count)") }
                return StoreBenchmarks.seconds(clock.now - start)
            }
            func timedCopy() async throws -> (Double, Double) {
                let columns = ["store_id", "sequence", "id", "type", "schema_version", "payload", "created_at"]
                let start = clock.now
                try await client.withConnection { connection in
                    try await connection.copyFrom(table: "copy_all", columns: columns, logger: postgres.logger) { writer in
                        for buffer in copyData { try await writer.write(buffer) }
                    }
                }
                let all = StoreBenchmarks.seconds(clock.now - start)
                let batchedStart = clock.now
                try await client.withConnection { connection in
                    for buffer in copyData {
                        try await connection.copyFrom(table: "copy_batched", columns: columns, logger: postgres.logger) { writer in
                            try await writer.write(buffer)
                        }
                    }
                }
                return (all, StoreBenchmarks.seconds(clock.now - batchedStart))
            }
            let ingestSeconds: Double, applySeconds: Double, copy: (Double, Double)
            if copyFirst {
                copy = try await timedCopy()
                ingestSeconds = try await timedIngest()
                applySeconds = try await timedApply()
            } else {
                ingestSeconds = try await timedIngest()
                applySeconds = try await timedApply()
                copy = try await timedCopy()
            }
            let copied = try await client.query("SELECT (SELECT count(*) FROM copy_all) + (SELECT count(*) FROM copy_batched)",
                                                logger: postgres.logger).decode(Int.self).gathered().first ?? 0
            guard copied == 2 * events.count else { throw BenchError("hq: COPY stored \(copied) rows, expected \(2 * events.count)") }
            return (ingestSeconds, applySeconds, copy.0, copy.1)
        }
    }

    /// COPY's text format: tab-separated, `\` `\t` `\n` `\r` escaped.
    static func copyText(_ events: [SyncEvent], storeId: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(events.reduce(0) { $0 + $1.payload.utf8.count + 160 })
        func escaped(_ text: String) {
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
        for event in events {
            escaped(storeId)
            buffer.writeStaticString("\t")
            buffer.writeString(String(event.sequence))
            buffer.writeStaticString("\t")
            escaped(event.id)
            buffer.writeStaticString("\t")
            escaped(event.type)
            buffer.writeStaticString("\t")
            buffer.writeString(String(event.schemaVersion))
            buffer.writeStaticString("\t")
            escaped(event.payload)
            buffer.writeStaticString("\t")
            escaped(event.createdAt)
            buffer.writeStaticString("\n")
        }
        return buffer
    }

    // MARK: - Over HTTP

    /// The whole outbox of a copy of the generated store, pushed by the real sync engine to a live node.
    static func catchUp(storePath: String, directory: URL, postgres: BenchPostgres, http: HTTPClient, batchSize: Int, logger: Logger) async throws
        -> (seconds: Double, applied: Double, events: Int, pushes: Int, finalBatch: Int) {
        let copyPath = directory.appendingPathComponent("catch-up-\(UUID().uuidString.prefix(8)).sqlite").path
        let source = try await StoreDatabase.open(path: storePath, options: .init(synchronous: .normal, logger: logger))
        try await source.backup(to: copyPath)
        try source.close()
        // The store as it runs in production: synchronous=FULL, so each acknowledgement is a durable commit.
        let store = try await StoreDatabase.open(path: copyPath, options: .init(synchronous: .full, logger: logger))
        defer { try? store.close() }
        let pending = try await store.pendingOutboxCount()
        return try await postgres.withFreshDatabase { hq, _ in
            let credential = try await hq.addStore(id: store.storeId, name: "Bench store")
            return try await HeadOfficeNode.withServer(hq, logger: logger) { url in
                let link = try HeadOfficeLink(url: url, credential: credential, batchSize: batchSize)
                let engine = SyncEngine(database: store, client: HeadOfficeClient(link: link, http: http), logger: logger)
                let clock = ContinuousClock()
                let start = clock.now
                try await engine.pushAll()
                let elapsed = StoreBenchmarks.seconds(clock.now - start)
                let left = try await store.pendingOutboxCount()
                let acknowledged = try await hq.store(id: store.storeId)?.acknowledgedSequence ?? 0
                guard left == 0, acknowledged == Int64(pending) else {
                    throw BenchError("hq: catch-up left \(left) events pending; head office acknowledged \(acknowledged) of \(pending)")
                }
                while !(try await hq.projectionBacklog().isEmpty) { try await Task.sleep(for: .milliseconds(20)) }
                return (elapsed, StoreBenchmarks.seconds(clock.now - start), pending, await engine.status.pushes, await engine.batchSizer.current)
            }
        }
    }

    /// `stores` registered stores, each sending its own copy of the template's events, all at once.
    static func storesAtOnce(template: [SyncEvent], stores: Int, postgres: BenchPostgres, http: HTTPClient, logger: Logger) async throws
        -> (latencies: Samples, events: Int, seconds: Double, applied: Double) {
        try await postgres.withFreshDatabase { hq, _ in
            var plans: [(credential: StoreCredential, batches: [PushBatch])] = []
            for number in 1...stores {
                // As long as the template's id, so the rewrite keeps every payload's length.
                let storeId = number < 1000 ? "bench-s" + String(format: "%03d", number) : "bench-\(StoreTraffic.hex(number, digits: 4))"
                let credential = try await hq.addStore(id: storeId, name: "Bench store \(number)")
                let events = StoreTraffic.events(template, forStore: number, storeId: storeId)
                let batches = stride(from: 0, to: events.count, by: storeBatchSize).map {
                    PushBatch(storeId: storeId, events: Array(events[$0..<min($0 + storeBatchSize, events.count)]))
                }
                plans.append((credential, batches))
            }
            let plannedStores = plans
            return try await HeadOfficeNode.withServer(hq, logger: logger) { url in
                let clock = ContinuousClock()
                let start = clock.now
                let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
                    for plan in plannedStores {
                        group.addTask {
                            // A long timeout, so that a slow answer is measured rather than retried; how many
                            // would have hit the store's default timeout is reported.
                            let link = try HeadOfficeLink(url: url, credential: plan.credential, batchSize: storeBatchSize,
                                                          requestTimeout: .seconds(600))
                            let client = HeadOfficeClient(link: link, http: http)
                            var times: [Double] = []
                            for batch in plan.batches {
                                let sent = clock.now
                                let answer = try await client.push(batch)
                                times.append((clock.now - sent).milliseconds)
                                guard answer.acknowledgedSequence == batch.events.last?.sequence else {
                                    throw BenchError("hq: store \(batch.storeId) acknowledged \(answer.acknowledgedSequence), gaps \(answer.gaps)")
                                }
                            }
                            return times
                        }
                    }
                    var all = Samples()
                    for try await times in group { for time in times { all.add(time) } }
                    return all
                }
                let elapsed = StoreBenchmarks.seconds(clock.now - start)
                let stored = try await hq.read { connection in
                    try await connection.query("SELECT count(*) FROM store_event", logger: logger).decode(Int.self).gathered().first ?? 0
                }
                let expected = plannedStores.reduce(0) { $0 + $1.batches.reduce(0) { $0 + $1.events.count } }
                guard stored == expected else { throw BenchError("hq: head office stored \(stored) events of \(expected)") }
                while !(try await hq.projectionBacklog().isEmpty) { try await Task.sleep(for: .milliseconds(20)) }
                return (latencies, expected, elapsed, StoreBenchmarks.seconds(clock.now - start))
            }
        }
    }

    // MARK: - Helpers

    static func mix(_ events: [SyncEvent]) -> String {
        var counts: [String: Int] = [:]
        for event in events { counts[event.type, default: 0] += 1 }
        return counts.sorted { $0.value > $1.value }
            .map { "\($0.key) \(String(format: "%.1f", Double($0.value) * 100 / Double(events.count)))%" }
            .joined(separator: ", ")
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    static func rate(_ value: Double) -> String { StoreBenchmarks.format(value) }
    static func percent(_ ratio: Double) -> String { StoreBenchmarks.percent(ratio) }
    static func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }

    static func progress(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// The PostgreSQL the suite runs on: a throwaway database per measurement, on the server of the given URL.
struct BenchPostgres: Sendable {
    /// The head-office node's pool, as `parcours hq serve` configures it.
    static let nodeConnections = 20

    let baseURL: String
    let logger: Logger

    func url(database: String) throws -> String {
        guard var components = URLComponents(string: baseURL) else { throw BenchError("hq: cannot read the database URL") }
        components.path = "/" + database
        guard let url = components.string else { throw BenchError("hq: cannot build a database URL") }
        return url
    }

    func withClient<T: Sendable>(url: String, maximumConnections: Int = BenchPostgres.nodeConnections,
                                 _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let configuration = try HeadOfficeDatabase.configuration(url: url, maximumConnections: maximumConnections)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Version and the durability settings, which must be PostgreSQL's defaults for the figures to mean anything.
    func serverDescription() async throws -> String {
        try await withClient(url: baseURL, maximumConnections: 1) { client in
            let rows = try await client.query("""
                SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit'),
                       current_setting('full_page_writes'), current_setting('shared_buffers')
                """, logger: logger).decode((String, String, String, String, String).self).gathered()
            guard let (version, fsync, synchronousCommit, fullPageWrites, sharedBuffers) = rows.first else { return "PostgreSQL" }
            return "PostgreSQL \(version) (fsync=\(fsync), synchronous_commit=\(synchronousCommit), full_page_writes=\(fullPageWrites), shared_buffers=\(sharedBuffers))"
        }
    }

    /// A new database, migrated by `HeadOfficeMigrations`, dropped afterwards whatever happens.
    /// With `keep`, the database is left for inspection (EXPLAIN ANALYZE of the projection) and its name printed.
    func withFreshDatabase<T: Sendable>(keep: Bool = false,
                                        _ body: @Sendable (HeadOfficeDatabase, PostgresClient) async throws -> T) async throws -> T {
        let name = "bench_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await withClient(url: baseURL, maximumConnections: 1) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        do {
            let result = try await withClient(url: try url(database: name)) { client in
                let database = HeadOfficeDatabase(client: client, logger: logger)
                try await HeadOfficeMigrations.migrate(database)
                return try await body(database, client)
            }
            if keep {
                HeadOfficeBenchmarks.progress("hq: kept database \(name): drop it with DROP DATABASE \(name)")
            } else {
                try await drop(name)
            }
            return result
        } catch {
            try? await drop(name)
            throw error
        }
    }

    /// A node's pool that was just cancelled can still be closing its connections: try again a few times.
    private func drop(_ name: String) async throws {
        for attempt in 1... {
            do {
                _ = try await withClient(url: baseURL, maximumConnections: 1) { client in
                    try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
                }
                return
            } catch where attempt < 5 {
                try await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
    }
}

/// A live head-office node: `HeadOfficeAPI`'s router on Hummingbird, as `buildHeadOfficeApplication` serves it,
/// on a port the system picks.
enum HeadOfficeNode {
    static func withServer<T: Sendable>(_ database: HeadOfficeDatabase, logger: Logger,
                                        _ body: @Sendable (URL) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var serverLogger = logger
        serverLogger.logLevel = .critical  // Hummingbird logs its own cancellation at shutdown as an error
        let app = Application(router: HeadOfficeAPI(database: database).makeRouter(),
                              configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "parcours-hq"),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                              logger: serverLogger)
        let server = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        // As `parcours hq serve` runs it: the node applies what it acknowledged in the background.
        let worker = ProjectionWorker(database: database, logger: serverLogger)
        let projecting = Task { try await worker.run() }
        defer { projecting.cancel() }
        var iterator = ports.makeAsyncIterator()
        do {
            guard let port = await iterator.next(), port > 0 else { throw BenchError("hq: the head-office node did not start") }
            let result = try await body(URL(string: "http://127.0.0.1:\(port)")!)
            server.cancel()
            _ = await server.result
            return result
        } catch {
            server.cancel()
            _ = await server.result
            throw error
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
