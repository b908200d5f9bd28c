import Foundation
import GRDB
import StoreCore

/// The store's benchmark: Parcours' own write paths beside a raw SQLite insert loop measured in the same run on
/// the same machine, identifier lookups among a million profiles, file size per visit, and what
/// `synchronous = FULL` costs over `NORMAL`. The raw loop writes one row per commit; a tap writes two to four rows
/// and a sale four, so each path is also compared with a second raw loop that writes the same rows per commit
/// (``StoreBenchmarks/sameRowsRate(path:synchronous:shape:)``).
///
/// Scale with `PARCOURS_BENCH_STORE_PROFILES` (default 1 000 000; identifiers are three per profile) and
/// `PARCOURS_BENCH_STORE_VISITS` (default 100 000).
enum StoreBenchmarks {
    static func run() async throws -> [String] {
        var lines: [String] = []
        func report(_ line: String) {
            print(line)
            lines.append(line)
        }
        let environment = ProcessInfo.processInfo.environment
        let profileCount = max(1000, Int(environment["PARCOURS_BENCH_STORE_PROFILES"] ?? "") ?? 1_000_000)
        let visitCount = max(1000, Int(environment["PARCOURS_BENCH_STORE_VISITS"] ?? "") ?? 100_000)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-store-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        report("store: commit rates (median of 3 runs of \(measureSeconds) s; one transaction per operation)")
        var rates: [StoreDatabase.Synchronous: (raw: Double, tap: Double, purchase: Double)] = [:]
        for synchronous in [StoreDatabase.Synchronous.normal, .full] {
            let raw = try median(of: 3) { run in try rawInsertRate(path: directory.appendingPathComponent("raw-\(synchronous)-\(run).sqlite").path, synchronous: synchronous) }
            let store = try await CommitBench.prepare(path: directory.appendingPathComponent("commits-\(synchronous).sqlite").path, synchronous: synchronous)
            var taps: [Double] = []
            var purchases: [Double] = []
            for _ in 0..<3 {
                taps.append(try await store.tapRate())
                purchases.append(try await store.purchaseRate())
            }
            try store.store.close()
            let tap = taps.sorted()[1]
            let purchase = purchases.sorted()[1]
            rates[synchronous] = (raw, tap, purchase)
            let name = synchronous == .full ? "FULL  " : "NORMAL"
            report("store: synchronous=\(name) raw insert \(format(raw)) commits/s | tap→visit \(format(tap))/s (\(percent(tap / raw)) of raw) | purchase \(format(purchase))/s (\(percent(purchase / raw)) of raw)")
            var tapRowRates: [Double] = []
            var purchaseRowRates: [Double] = []
            for run in 0..<3 {
                tapRowRates.append(try await sameRowsRate(
                    path: directory.appendingPathComponent("rows-tap-\(synchronous)-\(run).sqlite").path,
                    synchronous: synchronous, shape: .tap))
                purchaseRowRates.append(try await sameRowsRate(
                    path: directory.appendingPathComponent("rows-purchase-\(synchronous)-\(run).sqlite").path,
                    synchronous: synchronous, shape: .purchase))
            }
            let tapRows = tapRowRates.sorted()[1]
            let purchaseRows = purchaseRowRates.sorted()[1]
            report("store: synchronous=\(name) same-rows raw reference (store schema, prepared INSERTs, no reads): tap rows \(format(tapRows)) commits/s → tap→visit \(percent(tap / tapRows)) of it | purchase rows \(format(purchaseRows)) commits/s → purchase \(percent(purchase / purchaseRows)) of it")
        }
        if let normal = rates[.normal], let full = rates[.full] {
            report("store: FULL costs: raw ×\(String(format: "%.1f", normal.raw / full.raw)) slower, tap→visit ×\(String(format: "%.1f", normal.tap / full.tap)), purchase ×\(String(format: "%.1f", normal.purchase / full.purchase)) (goal for Parcours paths: ≥ 50% of raw at the same setting)")
        }

        let lookup = try await LookupBench.run(directory: directory, profiles: profileCount)
        report("store: bulk load \(format(Double(profileCount))) profiles + \(format(Double(profileCount * 3))) identifiers in one transaction: \(String(format: "%.1f", lookup.loadSeconds)) s (\(format(Double(profileCount * 4) / lookup.loadSeconds)) rows/s)")
        report("store: identifier lookup via StoreDatabase.identifier(kind:value:) p50 \(micros(lookup.apiP50)) p99 \(micros(lookup.apiP99)) (goal p99 < 200 µs); raw prepared statement p50 \(micros(lookup.rawP50)) p99 \(micros(lookup.rawP99))")
        report("store: tap→visit at \(format(Double(profileCount))) profiles (FULL) p50 \(micros(lookup.tapP50)) p99 \(micros(lookup.tapP99))")

        let size = try await SizeBench.run(directory: directory, visits: visitCount)
        report("store: size per million visits (extrapolated from \(format(Double(visitCount)))): anonymous taps \(megabytes(size.anonymousBytesPerVisit * 1_000_000)) (identifier + visit + outbox event), known customers \(megabytes(size.knownBytesPerVisit * 1_000_000)) (visit + outbox event, daily bonus)")
        return lines
    }

    static let measureSeconds = 1.5

    // MARK: - Raw reference

    /// The reference: a prepared INSERT of one row per transaction on a bare table, same WAL and synchronous setting.
    static func rawInsertRate(path: String, synchronous: StoreDatabase.Synchronous) throws -> Double {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous == .full ? "FULL" : "NORMAL")")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        defer { try? pool.close() }
        return try pool.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE raw (id TEXT PRIMARY KEY NOT NULL, storeId TEXT NOT NULL, deviceId TEXT NOT NULL, at DATETIME NOT NULL)")
            let insert = try db.makeStatement(sql: "INSERT INTO raw (id, storeId, deviceId, at) VALUES (?, ?, ?, ?)")
            let clock = ContinuousClock()
            let start = clock.now
            var count = 0
            while clock.now - start < .seconds(measureSeconds) {
                try db.inTransaction {
                    try insert.execute(arguments: [rawID(), "store-1", "kiosk-1", "2026-01-01 00:00:00.000"])
                    return .commit
                }
                count += 1
            }
            return Double(count) / seconds(clock.now - start)
        }
    }

    /// The rows one operation of the commit benchmark writes, per transaction.
    enum RowShape {
        /// A known customer's tap in `CommitBench.tapRate()`: a visit and its outbox event every time, and a
        /// visit-bonus ledger entry with its outbox event on every third tap (taps of one customer are 500 minutes
        /// apart; the bonus cooldown is 24 hours).
        case tap
        /// A known customer's sale: the purchase, its ledger entry, and an outbox event for each.
        case purchase
    }

    /// The fairer reference: the same rows per transaction as a Parcours write, as prepared INSERTs into the real
    /// store schema (same indexes, triggers, CHECKs and foreign keys), same WAL and synchronous setting, run on the
    /// writer connection without an async hop, and with none of the reads a Parcours write makes (identifier,
    /// profile, visit window, ledger summary, outbox sequence) and no input validation.
    static func sameRowsRate(path: String, synchronous: StoreDatabase.Synchronous, shape: RowShape) async throws -> Double {
        // The schema through the real open path (migrations, reward catalog), then rows behind its back.
        try await StoreDatabase.open(path: path, options: .init(storeId: "bench-store", synchronous: .normal)).close()
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous == .full ? "FULL" : "NORMAL")")
            try db.execute(sql: "PRAGMA cache_size = -16384")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        defer { try? pool.close() }
        return try await pool.writeWithoutTransaction { db in
            let at = "2026-01-01 00:00:00.000"
            let profileId = UUID().uuidString.lowercased()
            let identifierId = UUID().uuidString.lowercased()
            try db.execute(sql: """
                INSERT INTO profile (id, firstName, language, tier, createdAt, updatedAt, origin)
                VALUES (?, 'Customer', 'fr', 'Bronze', ?, ?, 'kiosk')
                """, arguments: [profileId, at, at])
            try db.execute(sql: "INSERT INTO identifier (id, kind, value, profileId, verified, createdAt) VALUES (?, 'cardUID', '04000000000001', ?, 0, ?)",
                           arguments: [identifierId, profileId, at])
            let visit = try db.makeStatement(sql: """
                INSERT INTO visit (id, storeId, deviceId, reader, identifierId, profileId, at) VALUES (?, 'bench-store', 'kiosk-1', 'bench reader', ?, ?, ?)
                """)
            let purchase = try db.makeStatement(sql: """
                INSERT INTO purchase (id, storeId, tillDeviceId, receiptId, amountMinor, currency, lines, profileId, pointsEarned, at)
                VALUES (?, 'bench-store', 'till-1', ?, 1250, 'EUR', NULL, ?, 12, ?)
                """)
            let ledger = try db.makeStatement(sql: """
                INSERT INTO ledgerEntry (id, profileId, delta, reason, reference, at, expiresAt) VALUES (?, ?, 5, ?, ?, ?, NULL)
                """)
            let outbox = try db.makeStatement(sql: """
                INSERT INTO outbox (id, storeId, sequence, type, schemaVersion, payload, createdAt) VALUES (?, 'bench-store', ?, ?, 1, ?, ?)
                """)
            // Payloads of the size Parcours writes (a visit's JSON is about 250 bytes).
            let payload = #"{"at":"2026-01-01T00:00:00.000Z","deviceId":"kiosk-1","id":"\#(identifierId)","identifierId":"\#(identifierId)","profileId":"\#(profileId)","reader":"bench reader","storeId":"bench-store"}"#
            var sequence: Int64 = 0
            func event(_ type: String) throws {
                sequence += 1
                try outbox.execute(arguments: [rawID(), sequence, type, payload, at])
            }
            let clock = ContinuousClock()
            let start = clock.now
            var count = 0
            while clock.now - start < .seconds(measureSeconds) {
                try db.inTransaction {
                    switch shape {
                    case .tap:
                        let visitId = rawID()
                        try visit.execute(arguments: [visitId, identifierId, profileId, at])
                        try event("visit.recorded")
                        if count % 3 == 0 {
                            try ledger.execute(arguments: [rawID(), profileId, "visitBonus", visitId, at])
                            try event("ledger.entry")
                        }
                    case .purchase:
                        let purchaseId = rawID()
                        try purchase.execute(arguments: [purchaseId, "R-\(count)", profileId, at])
                        try event("purchase.recorded")
                        try ledger.execute(arguments: [rawID(), profileId, "purchase", purchaseId, at])
                        try event("ledger.entry")
                    }
                    return .commit
                }
                count += 1
            }
            return Double(count) / seconds(clock.now - start)
        }
    }

    // MARK: - Helpers

    static func median(of runs: Int, _ body: (Int) throws -> Double) throws -> Double {
        let values = try (0..<runs).map(body).sorted()
        return values[values.count / 2]
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ value: Double) -> String {
        value >= 1e6 ? String(format: "%.2fM", value / 1e6) : value >= 1e4 ? String(format: "%.1fk", value / 1e3) : String(format: "%.0f", value)
    }

    static func percent(_ ratio: Double) -> String { String(format: "%.0f%%", ratio * 100) }
    static func micros(_ seconds: Double) -> String { String(format: "%.0f µs", seconds * 1e6) }
    static func megabytes(_ bytes: Double) -> String { String(format: "%.0f MB", bytes / 1_048_576) }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }
}

/// Tap and purchase commit rates through the public API, on a store with 500 signed-up customers.
struct CommitBench {
    let store: StoreDatabase
    let profiles: [(id: String, card: String)]
    let start = Date(timeIntervalSince1970: 1_767_225_600)

    static func prepare(path: String, synchronous: StoreDatabase.Synchronous) async throws -> CommitBench {
        let setup = try await StoreDatabase.open(path: path, options: .init(storeId: "bench-store", synchronous: .normal))
        var profiles: [(String, String)] = []
        for index in 0..<500 {
            let card = String(format: "04%012X", index)
            let outcome = try await setup.signUp(SignUpRequest(firstName: "Customer\(index)", email: "c\(index)@example.com",
                                                               language: "fr", identifiers: TapIdentifiers(cardUID: card)))
            profiles.append((outcome.profile.id, card))
        }
        try setup.close()
        let store = try await StoreDatabase.open(path: path, options: .init(synchronous: synchronous))
        return CommitBench(store: store, profiles: profiles)
    }

    /// Known customers tapping in turn, one minute apart, so that every tap opens a new visit.
    func tapRate() async throws -> Double {
        let clock = ContinuousClock()
        let begin = clock.now
        var count = 0
        let offset = Double.random(in: 0..<1e9).rounded()
        while clock.now - begin < .seconds(StoreBenchmarks.measureSeconds) {
            let customer = profiles[count % profiles.count]
            _ = try await store.recordTap(Tap(identifiers: TapIdentifiers(cardUID: customer.card), deviceId: "kiosk-1",
                                              reader: "bench reader", at: start.addingTimeInterval(offset + Double(count) * 60)))
            count += 1
        }
        return Double(count) / StoreBenchmarks.seconds(clock.now - begin)
    }

    /// Till sales of known customers, each its own receipt.
    func purchaseRate() async throws -> Double {
        let clock = ContinuousClock()
        let begin = clock.now
        var count = 0
        let run = UUID().uuidString.prefix(8)
        while clock.now - begin < .seconds(StoreBenchmarks.measureSeconds) {
            let customer = profiles[count % profiles.count]
            _ = try await store.recordPurchase(PurchaseRequest(receiptId: "R-\(run)-\(count)", tillDeviceId: "till-1",
                                                               amountMinor: 1250 + Int64(count % 100), currency: "EUR",
                                                               profileId: customer.id))
            count += 1
        }
        return Double(count) / StoreBenchmarks.seconds(clock.now - begin)
    }
}

/// A million profiles and three million identifiers, bulk-loaded in one transaction, then random lookups.
enum LookupBench {
    struct Result {
        var loadSeconds: Double
        var apiP50: Double, apiP99: Double
        var rawP50: Double, rawP99: Double
        var tapP50: Double, tapP99: Double
    }

    static func card(_ index: Int) -> String {
        let hex = String(index, radix: 16, uppercase: true)
        return "04" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    static func run(directory: URL, profiles: Int) async throws -> Result {
        let path = directory.appendingPathComponent("lookup.sqlite").path
        // Create the schema through the real open path, then load behind its back like an import would.
        try await StoreDatabase.open(path: path, options: .init(storeId: "bench-store", synchronous: .normal)).close()
        let clock = ContinuousClock()
        let loadStart = clock.now
        var loadConfiguration = Configuration()
        loadConfiguration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -262144") }  // 256 MB for the load
        let queue = try DatabaseQueue(path: path, configuration: loadConfiguration)
        try await queue.write { db in
            let profile = try db.makeStatement(sql: """
                INSERT INTO profile (id, firstName, email, language, tier, createdAt, updatedAt, origin)
                VALUES (?, ?, ?, 'fr', 'Bronze', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000', 'import')
                """)
            let identifier = try db.makeStatement(sql: """
                INSERT INTO identifier (id, kind, value, profileId, verified, createdAt)
                VALUES (?, ?, ?, ?, 1, '2026-01-01 00:00:00.000')
                """)
            // Time-ordered ids, like the UUIDv7 the store issues, so rows append to the primary-key B-trees.
            func id(_ index: Int, _ kind: Int) -> String {
                let hex = String(index * 4 + kind, radix: 16)
                return "019b0000-0000-7000-8000-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
            }
            for index in 0..<profiles {
                let profileId = id(index, 0)
                let email = "customer\(index)@example.com"
                try profile.execute(arguments: [profileId, "Customer\(index)", email])
                try identifier.execute(arguments: [id(index, 1), "cardUID", card(index), profileId])
                try identifier.execute(arguments: [id(index, 2), "loyaltyCard", "LC-\(index)", profileId])
                try identifier.execute(arguments: [id(index, 3), "email", email, profileId])
            }
        }
        try queue.close()
        let loadSeconds = StoreBenchmarks.seconds(clock.now - loadStart)

        let store = try await StoreDatabase.open(path: path, options: .init(synchronous: .full))
        let samples = 10_000
        var generator = SystemRandomNumberGenerator()
        let picks = (0..<samples).map { _ in Int.random(in: 0..<profiles, using: &generator) }
        for index in picks.prefix(200) { _ = try await store.identifier(kind: .cardUID, value: card(index)) }  // warm-up
        var api: [Double] = []
        for index in picks {
            let begin = clock.now
            let found = try await store.identifier(kind: .cardUID, value: card(index))
            api.append(StoreBenchmarks.seconds(clock.now - begin))
            precondition(found != nil, "bulk-loaded identifier not found")
        }

        let reader = try DatabaseQueue(path: path)
        let raw: [Double] = try await reader.read { db in
            let select = try db.makeStatement(sql: "SELECT * FROM identifier WHERE kind = ? AND value = ?")
            var timings: [Double] = []
            for index in picks {
                let begin = clock.now
                _ = try Row.fetchOne(select, arguments: ["cardUID", card(index)])
                timings.append(StoreBenchmarks.seconds(clock.now - begin))
            }
            return timings
        }
        try reader.close()

        var taps: [Double] = []
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        for (count, index) in picks.prefix(500).enumerated() {
            let begin = clock.now
            _ = try await store.recordTap(Tap(identifiers: TapIdentifiers(cardUID: card(index)), deviceId: "kiosk-1",
                                              reader: "bench reader", at: start.addingTimeInterval(Double(count))))
            taps.append(StoreBenchmarks.seconds(clock.now - begin))
        }
        try store.close()
        api.sort()
        let rawSorted = raw.sorted()
        taps.sort()
        return Result(loadSeconds: loadSeconds,
                      apiP50: StoreBenchmarks.percentile(api, 0.5), apiP99: StoreBenchmarks.percentile(api, 0.99),
                      rawP50: StoreBenchmarks.percentile(rawSorted, 0.5), rawP99: StoreBenchmarks.percentile(rawSorted, 0.99),
                      tapP50: StoreBenchmarks.percentile(taps, 0.5), tapP99: StoreBenchmarks.percentile(taps, 0.99))
    }
}

/// Bytes on disk per visit, measured on real visits written through the API.
enum SizeBench {
    static func run(directory: URL, visits: Int) async throws -> (anonymousBytesPerVisit: Double, knownBytesPerVisit: Double) {
        let start = Date(timeIntervalSince1970: 1_767_225_600)

        let anonymousPath = directory.appendingPathComponent("size-anonymous.sqlite").path
        let anonymous = try await StoreDatabase.open(path: anonymousPath, options: .init(storeId: "bench-store", synchronous: .normal))
        let emptyAnonymous = fileSize(anonymousPath)
        for index in 0..<visits {
            _ = try await anonymous.recordTap(Tap(identifiers: TapIdentifiers(cardUID: String(format: "04%012X", index)),
                                                  deviceId: "kiosk-1", reader: "ACS ACR1252 00 00",
                                                  at: start.addingTimeInterval(Double(index))))
        }
        try anonymous.close()  // checkpoints and removes the WAL, so the main file holds everything

        let knownPath = directory.appendingPathComponent("size-known.sqlite").path
        let known = try await StoreDatabase.open(path: knownPath, options: .init(storeId: "bench-store", synchronous: .normal))
        let customers = 1000
        for index in 0..<customers {
            _ = try await known.signUp(SignUpRequest(firstName: "Customer\(index)", email: "c\(index)@example.com", language: "fr",
                                                     identifiers: TapIdentifiers(cardUID: String(format: "04%012X", index))))
        }
        try known.close()
        let emptyKnown = fileSize(knownPath)
        let reopened = try await StoreDatabase.open(path: knownPath, options: .init(synchronous: .normal))
        for index in 0..<visits {
            // Each customer comes back every `customers` minutes: a new visit each time, a bonus once a day.
            _ = try await reopened.recordTap(Tap(identifiers: TapIdentifiers(cardUID: String(format: "04%012X", index % customers)),
                                                 deviceId: "kiosk-1", reader: "ACS ACR1252 00 00",
                                                 at: start.addingTimeInterval(Double(index) * 60)))
        }
        try reopened.close()
        return (Double(fileSize(anonymousPath) - emptyAnonymous) / Double(visits),
                Double(fileSize(knownPath) - emptyKnown) / Double(visits))
    }

    static func fileSize(_ path: String) -> Int64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
    }
}

/// Row ids for the raw reference loops: unique, UUID-shaped and cheap, so that a reference's rate is SQLite's and not
/// Foundation's `UUID()` (which opens and reads /dev/urandom on every call on Linux). A faster reference only makes
/// Parcours' ratio to it more conservative. Unsynchronized on purpose: the reference loops run one at a time, on one
/// thread, and a lock would cost more than the id.
nonisolated(unsafe) private var rawIDCounter: UInt64 = 0
private func rawID() -> String {
    rawIDCounter += 1
    let hex = String(rawIDCounter, radix: 16)
    return "00000000-0000-7000-8000-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
}
