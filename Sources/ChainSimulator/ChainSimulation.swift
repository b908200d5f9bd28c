import Foundation
import Logging
import StoreCore
import StoreSync
import SyncProtocol

/// A store of the simulated chain, already registered at head office.
public struct ChainStore: Sendable {
    public var id: String
    public var name: String
    public var region: String?
    public var credential: StoreCredential

    public init(id: String, name: String, region: String?, credential: StoreCredential) {
        self.id = id
        self.name = name
        self.region = region
        self.credential = credential
    }
}

/// Where the simulation is, for a progress line.
public struct ChainProgress: Sendable {
    public var day: Int
    public var days: Int
    public var storeId: String
    public var eventsPushed: Int
}

/// What the simulation wrote.
public struct ChainSummary: Sendable {
    public var counts = TrafficCounts()
    public var eventsPushed = 0
    /// JSON Lines for `parcours hq import profiles`: the web shop's customers, some of them also store customers.
    public var digitalProfilesFile: URL
    public var digitalProfiles = 0
    public var storeFiles: [URL] = []
}

/// A believable chain's traffic, written through the stores' real write paths and sent with the real sync.
///
/// Each store has its own SQLite file (``StoreDatabase``) in `directory`; every tap, sign-up, sale, refund,
/// redemption and feedback answer is what a kiosk or a till would have written, and each store's outbox is pushed
/// to head office by a ``SyncEngine`` at the end of every simulated day, as a store's own sync would.
/// The same seed gives the same traffic (ids and keys are still fresh: they come from the stores).
public struct ChainSimulation: Sendable {
    public var stores: [ChainStore]
    public var headOffice: URL
    public var days: Int
    /// Midnight UTC of the first simulated day.
    public var start: Date
    public var directory: URL
    public var seed: UInt64
    /// People per store at the start; a few new ones walk in every day.
    public var shoppersPerStore: Int
    public var logger: Logger

    public init(stores: [ChainStore], headOffice: URL, days: Int, start: Date, directory: URL, seed: UInt64,
                shoppersPerStore: Int = 200, logger: Logger = Logger(label: "parcours.demo")) {
        self.stores = stores
        self.headOffice = headOffice
        self.days = days
        self.start = start
        self.directory = directory
        self.seed = seed
        self.shoppersPerStore = shoppersPerStore
        self.logger = logger
    }

    /// Runs every day on every store, then writes the digital profiles file, hands it to `importDigitalProfiles`
    /// (head office's importer) and syncs each store once more so that they pull what head office resolved.
    public func run(progress: @Sendable (ChainProgress) -> Void = { _ in },
                    importDigitalProfiles: @Sendable (URL) async throws -> Void = { _ in }) async throws -> ChainSummary {
        guard !stores.isEmpty else { throw ChainSimulationError("no store to simulate") }
        guard (1...366).contains(days) else { throw ChainSimulationError("days must be between 1 and 366, got \(days)") }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var random = SeededRandom(seed: seed)
        var shoppers: [Shopper] = []
        for store in stores.indices {
            for _ in 0..<shoppersPerStore {
                shoppers.append(Shopper.make(number: shoppers.count, homeStore: store, random: &random))
            }
        }
        var summary = ChainSummary(digitalProfilesFile: directory.appendingPathComponent("digital-profiles.jsonl"))
        var opened: [OpenStore] = []
        defer { for store in opened { try? store.database.close() } }
        for store in stores {
            let file = directory.appendingPathComponent("\(store.id).sqlite")
            guard !FileManager.default.fileExists(atPath: file.path) else {
                throw ChainSimulationError("\(file.path) exists already: seed into an empty folder (remove it or pick another --dir)")
            }
            opened.append(try await OpenStore.open(store, file: file, headOffice: headOffice, logger: logger))
            summary.storeFiles.append(file)
        }
        // The programme did not start today: many of the people the stores already see joined in the 90 days
        // before, at their store's kiosk, so the period has members coming back as well as new sign-ups.
        for (index, store) in opened.enumerated() {
            var earlier: [(at: Date, shopper: Int)] = []
            for (number, shopper) in shoppers.enumerated() where shopper.homeStore == index && shopper.signUpRate > 0 && random.chance(0.6) {
                let midnight = start.addingTimeInterval(-Double(1 + random.below(90)) * 86_400)
                earlier.append((StoreDay.arrivalTime(midnight, random: &random), number))
            }
            var traffic = StoreDay(store: store, storeIndex: index, storeCount: opened.count, day: -1, midnight: start)
            try await traffic.runEarlierSignUps(earlier, shoppers: &shoppers, random: &random)
            summary.counts.add(traffic.counts)
            try await store.engine.syncOnce()
        }
        for day in 0..<days {
            let midnight = start.addingTimeInterval(Double(day) * 86_400)
            // Newcomers: people who had never been to the store before today.
            for store in stores.indices {
                for _ in 0..<(3 + random.below(5)) {
                    var newcomer = Shopper.make(number: shoppers.count, homeStore: store, random: &random)
                    newcomer.firstDay = day
                    shoppers.append(newcomer)
                }
            }
            for (index, store) in opened.enumerated() {
                var traffic = StoreDay(store: store, storeIndex: index, storeCount: opened.count, day: day, midnight: midnight)
                try await traffic.run(shoppers: &shoppers, random: &random)
                summary.counts.add(traffic.counts)
                try await store.engine.syncOnce()
                summary.eventsPushed = 0
                for each in opened { summary.eventsPushed += await each.engine.status.pushedEvents }
                progress(ChainProgress(day: day + 1, days: days, storeId: store.id, eventsPushed: summary.eventsPushed))
            }
        }
        let end = start.addingTimeInterval(Double(days) * 86_400)
        summary.digitalProfiles = try DigitalProfilesFile.write(shoppers: shoppers, start: start, end: end, seed: seed,
                                                                to: summary.digitalProfilesFile)
        try await importDigitalProfiles(summary.digitalProfilesFile)
        for store in opened { try await store.engine.syncOnce() }
        return summary
    }
}

/// A store's database and sync engine, open for the whole simulation.
struct OpenStore: Sendable {
    let id: String
    let database: StoreDatabase
    let engine: SyncEngine
    let rewards: [Reward]

    static func open(_ store: ChainStore, file: URL, headOffice: URL, logger: Logger) async throws -> OpenStore {
        let database = try await StoreDatabase.open(path: file.path, options: .init(storeId: store.id, synchronous: .normal, logger: logger))
        let link = try HeadOfficeLink(url: headOffice, credential: store.credential, batchSize: 500, pageSize: 200)
        let engine = SyncEngine(database: database, client: HeadOfficeClient(link: link), logger: logger)
        let rewards = try await database.rewards().filter(\.active).sorted { $0.cost < $1.cost }
        return OpenStore(id: store.id, database: database, engine: engine, rewards: rewards)
    }
}

public struct ChainSimulationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
