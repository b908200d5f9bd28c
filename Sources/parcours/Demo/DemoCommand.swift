import ArgumentParser
import ChainSimulator
import Foundation
import HeadOffice
import Logging
import SyncProtocol

/// `parcours demo …`: a simulated chain for demonstrations and the dashboard.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "A simulated chain: stores, customers and their traffic, for demonstrations.",
        subcommands: [DemoSeedCommand.self])
}

struct DemoSeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Register simulated stores at head office, run their traffic through real store databases and sync it.",
        discussion: """
            Each store gets its own SQLite file in --dir and its own credential. Every tap, sign-up, sale, refund,
            redemption and feedback answer goes through the store's own write paths, and each simulated day ends with
            the store's sync pushing its outbox to --hq-url. The web shop's customers (some of them also store
            customers, sharing a loyalty card or a card's PAR) are written to DIR/digital-profiles.jsonl and imported.
            The same --seed gives the same traffic. Needs an empty --dir and a database without these stores.
            """)

    @OptionGroup var options: HeadOfficeOptions
    @Option(name: .customLong("hq-url"), help: "The head-office node the stores sync with, e.g. http://127.0.0.1:8090.") var hqURL: String
    @Option(help: "How many stores (1–\(DemoStores.maximum)).") var stores = 3
    @Option(help: "How many days of traffic (1–366).") var days = 7
    @Option(help: "First simulated day, YYYY-MM-DD (UTC; default: the --days days that end yesterday).") var start: String?
    @Option(help: "Folder for the stores' SQLite files and the digital profiles file.") var dir = ".parcours/demo"
    @Option(help: "Seed of the simulation.") var seed: UInt64 = 2026
    @Option(name: .customLong("shoppers-per-store"), help: "People each store knows at the start.") var shoppersPerStore = 200

    func validate() throws {
        guard (1...DemoStores.maximum).contains(stores) else { throw ValidationError("--stores must be between 1 and \(DemoStores.maximum), got \(stores)") }
        guard (1...366).contains(days) else { throw ValidationError("--days must be between 1 and 366, got \(days)") }
        guard (10...5000).contains(shoppersPerStore) else { throw ValidationError("--shoppers-per-store must be between 10 and 5000, got \(shoppersPerStore)") }
        guard let url = URL(string: hqURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("--hq-url must be an http(s) URL such as http://127.0.0.1:8090, got '\(hqURL.prefix(80))'")
        }
        _ = try firstDay()
    }

    /// Midnight UTC of the first simulated day.
    func firstDay() throws -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let start else {
            let today = calendar.startOfDay(for: Date())
            return today.addingTimeInterval(-Double(days) * 86_400)
        }
        let parts = start.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, start.count == 10,
              let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              calendar.component(.day, from: date) == parts[2] else {
            throw ValidationError("--start must be a day as YYYY-MM-DD, got '\(start.prefix(40))'")
        }
        guard date.addingTimeInterval(Double(days) * 86_400) <= Date() else {
            throw ValidationError("--start \(start) with --days \(days) ends in the future: the simulation only plays days that are over")
        }
        return date
    }

    func run() async throws {
        let headOffice = URL(string: hqURL)!
        let directory = URL(fileURLWithPath: dir, isDirectory: true)
        let (count, days, seed, perStore) = (stores, days, seed, shoppersPerStore)
        let first = try firstDay()
        var logger = Logger(label: "parcours.demo")
        logger.logLevel = .warning
        let quiet = logger
        let onTerminal = isatty(STDERR_FILENO) == 1
        let summary = try await options.withDatabase { database -> ChainSummary in
            var chain: [ChainStore] = []
            for store in DemoStores.first(count) {
                let credential = try await database.addStore(id: store.id, name: store.name, region: store.region)
                chain.append(ChainStore(id: store.id, name: store.name, region: store.region, credential: credential))
            }
            let simulation = ChainSimulation(stores: chain, headOffice: headOffice, days: days, start: first, directory: directory,
                                             seed: seed, shoppersPerStore: perStore, logger: quiet)
            do {
                return try await simulation.run(progress: { step in
                    let line = "demo seed: day \(step.day)/\(step.days), store \(step.storeId), \(step.eventsPushed) events pushed"
                    FileHandle.standardError.write(Data((onTerminal ? "\r\(line)\u{1B}[K" : line + "\n").utf8))
                }, importDigitalProfiles: { file in
                    if onTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
                    let report = try await DigitalImporter(database: database).importFile(file.path, kind: .profiles)
                    guard report.failures.isEmpty else {
                        throw ValidationError("importing \(file.path): \(report.failures.prefix(3).map { "\($0)" }.joined(separator: "; "))")
                    }
                    FileHandle.standardError.write(Data("demo seed: \(report.summary)\n".utf8))
                })
            } catch let failure as ChainSimulationError {
                throw ValidationError(failure.description)
            }
        }
        let counts = summary.counts
        print("""
            seeded \(count) store(s) over \(days) day(s) from \(first.formatted(Date.ISO8601FormatStyle()).prefix(10)): \
            \(counts.taps) taps, \(counts.signUps) sign-ups, \(counts.purchases) sales, \(counts.refunds) refunds, \
            \(counts.redemptions) redemptions, \(counts.feedback) feedback answers; \(summary.eventsPushed) events pushed to \(hqURL)
            store files: \(summary.storeFiles.map(\.path).joined(separator: ", "))
            web shop customers: \(summary.digitalProfiles) in \(summary.digitalProfilesFile.path) (imported)
            """)
    }
}

/// The simulated chain's stores, in the order `--stores N` takes them.
enum DemoStores {
    struct Store {
        var id: String
        var name: String
        var region: String
    }

    static let named: [Store] = [
        Store(id: "paris-01", name: "Paris Rivoli", region: "Île-de-France"),
        Store(id: "lyon-01", name: "Lyon Part-Dieu", region: "Auvergne-Rhône-Alpes"),
        Store(id: "paris-02", name: "Paris Montparnasse", region: "Île-de-France"),
        Store(id: "lille-01", name: "Lille Centre", region: "Hauts-de-France"),
        Store(id: "bordeaux-01", name: "Bordeaux Sainte-Catherine", region: "Nouvelle-Aquitaine"),
        Store(id: "grenoble-01", name: "Grenoble Victor Hugo", region: "Auvergne-Rhône-Alpes"),
        Store(id: "nantes-01", name: "Nantes Commerce", region: "Pays de la Loire"),
        Store(id: "marseille-01", name: "Marseille Canebière", region: "Provence-Alpes-Côte d'Azur"),
        Store(id: "versailles-01", name: "Versailles Parly 2", region: "Île-de-France"),
        Store(id: "nice-01", name: "Nice Masséna", region: "Provence-Alpes-Côte d'Azur"),
    ]
    static let maximum = 200

    static func first(_ count: Int) -> [Store] {
        (0..<count).map { index in
            index < named.count ? named[index]
                : Store(id: "store-\(index + 1)", name: "Store \(index + 1)", region: named[index % named.count].region)
        }
    }
}
