import ArgumentParser
import Foundation
import HeadOffice
import HeadOfficeService
import Logging
import PostgresNIO
import ServiceLifecycle
import SyncProtocol
import UnixSignals

/// `parcours hq …`: head office on PostgreSQL.
struct HeadOfficeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hq",
        abstract: "Head office: the chain's PostgreSQL system of record and the stores' sync.",
        subcommands: [HQServeCommand.self, HQMigrateCommand.self, HQStoreCommand.self, HQSyncReportCommand.self,
                      HQCustomerCommand.self, HQRewardCommand.self, HQLoyaltyCommand.self, HQImportCommand.self, HQAPIKeyCommand.self,
                      HQManagerCommand.self, HQReportCommand.self, HQSegmentsCommand.self])
}

/// The database every `hq` verb works on.
struct HeadOfficeOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: "postgres://user:password@host:port/database (default: PARCOURS_HQ_DATABASE_URL; `make hq` sets it to the project's own cluster).")
    var databaseURL: String?

    func url() throws -> String {
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["PARCOURS_HQ_DATABASE_URL"], !url.isEmpty else {
            throw ValidationError("no database: pass --database-url or set PARCOURS_HQ_DATABASE_URL (config/postgres/pg-cluster url prints the local one)")
        }
        return url
    }

    /// Runs `body` with a connected, migrated database, then closes the pool.
    func withDatabase<T: Sendable>(migrate: Bool = true, _ body: @Sendable (HeadOfficeDatabase) async throws -> T) async throws -> T {
        let configuration: PostgresClient.Configuration
        do {
            configuration = try HeadOfficeDatabase.configuration(url: try url())
        } catch let error as HeadOfficeError {
            throw ValidationError(error.description)
        }
        // The pool warns when a lease races its own start-up, which the task group below always does: not news.
        var poolLogger = Logger(label: "parcours.hq.pool")
        poolLogger.logLevel = .error
        let client = PostgresClient(configuration: configuration, backgroundLogger: poolLogger)
        let database = HeadOfficeDatabase(client: client)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            do {
                if migrate { try await HeadOfficeMigrations.migrate(database) }
                return try await body(database)
            } catch let error as HeadOfficeError {
                throw ValidationError(error.description)
            } catch let error as PSQLError {
                throw ValidationError("PostgreSQL: \(error.serverInfo?[.message] ?? "\(error.code)") — is the server running? (make hq starts the local one)")
            }
        }
    }
}

struct HQServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a head-office node. Nodes are stateless: run as many as you like on one database.")

    @OptionGroup var options: HeadOfficeOptions
    @Option(help: "Address to listen on (default 127.0.0.1).") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8090
    @Option(help: "Seconds between RFM segment refreshes (default 3600, or PARCOURS_HQ_SEGMENT_REFRESH_SECONDS).")
    var segmentRefreshSeconds = Int(ProcessInfo.processInfo.environment["PARCOURS_HQ_SEGMENT_REFRESH_SECONDS"] ?? "") ?? 3_600
    @Option(help: "PEM certificate chain: with --tls-key, the node speaks HTTPS only (default: PARCOURS_HQ_TLS_CERTIFICATE).")
    var tlsCertificate: String?
    @Option(help: "PEM private key of --tls-certificate (default: PARCOURS_HQ_TLS_KEY).")
    var tlsKey: String?

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535, got \(port)") }
        guard (10...86_400 * 7).contains(segmentRefreshSeconds) else {
            throw ValidationError("--segment-refresh-seconds must be from 10 to 604800, got \(segmentRefreshSeconds)")
        }
    }

    /// Both files or neither, from the options or else the environment.
    func tls() throws -> HeadOfficeTLS? {
        let environment = ProcessInfo.processInfo.environment
        let certificate = tlsCertificate ?? environment["PARCOURS_HQ_TLS_CERTIFICATE"].flatMap { $0.isEmpty ? nil : $0 }
        let key = tlsKey ?? environment["PARCOURS_HQ_TLS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch (certificate, key) {
        case (nil, nil): return nil
        case let (certificate?, key?):
            let tls = HeadOfficeTLS(certificatePath: certificate, keyPath: key)
            do { _ = try tls.serverConfiguration() } catch let error as HeadOfficeError { throw ValidationError(error.description) }
            return tls
        case (nil, _): throw ValidationError("--tls-key needs --tls-certificate (both PEM files, or neither)")
        case (_, nil): throw ValidationError("--tls-certificate needs --tls-key (both PEM files, or neither)")
        }
    }

    func run() async throws {
        let (host, port, tls, segmentRefreshSeconds) = (host, port, try tls(), segmentRefreshSeconds)
        try await options.withDatabase { database in
            let logger = Logger(label: "parcours.hq")
            let application = try buildHeadOfficeApplication(api: HeadOfficeAPI(database: database), host: host, port: port,
                                                             tls: tls, logger: Logger(label: "parcours.hq.http"))
            let upkeep = InsightMaintenance(database: database, refreshSegmentsEvery: .seconds(segmentRefreshSeconds))
            let projection = ProjectionWorker(database: database)
            let group = ServiceGroup(configuration: .init(services: [.init(service: application), .init(service: projection),
                                                                     .init(service: upkeep)],
                                                          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            let scheme = tls == nil ? "http" : "https"
            FileHandle.standardOutput.write(Data("parcours hq: serving \(scheme)://\(host):\(port) (schema \(HeadOfficeMigrations.latest); Ctrl-C stops)\n".utf8))
            try await group.run()
        }
    }
}

struct HQMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Bring the head-office schema up to date.")
    @OptionGroup var options: HeadOfficeOptions

    func run() async throws {
        let ran = try await options.withDatabase(migrate: false) { try await HeadOfficeMigrations.migrate($0) }
        print(ran.isEmpty ? "schema up to date (\(HeadOfficeMigrations.latest))" : "applied: \(ran.joined(separator: ", "))")
    }
}

struct HQStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Register stores and manage their credentials.",
        subcommands: [Add.self, Rotate.self, Revoke.self, List.self, Allowance.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a store and print its credential (once).")
        @OptionGroup var options: HeadOfficeOptions
        @Option(help: "Store id (the store's store.id).") var id: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Region, for reports.") var region: String?

        func run() async throws {
            let (id, name, region) = (id, name, region)
            let credential = try await options.withDatabase { try await $0.addStore(id: id, name: name, region: region) }
            print("""
                store \(id) registered. Its credential, shown only this once (head office keeps only the public key):

                  \(credential.text)

                Give it to the store in its environment: PARCOURS_HEADOFFICE_CREDENTIAL='\(credential.text)'
                """)
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a store a new credential; the old one stops working.")
        @OptionGroup var options: HeadOfficeOptions
        @Option(help: "Store id.") var id: String

        func run() async throws {
            let id = id
            let credential = try await options.withDatabase { try await $0.rotateStoreCredential(id: id) }
            print("new credential for store \(id) (shown once):\n\n  \(credential.text)")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse a store's credential from now on.")
        @OptionGroup var options: HeadOfficeOptions
        @Option(help: "Store id.") var id: String

        func run() async throws {
            let id = id
            try await options.withDatabase { try await $0.revokeStore(id: id) }
            print("store \(id) revoked")
        }
    }

    struct Allowance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Points a store's offline redemptions may take a customer below zero before they are flagged.")
        @OptionGroup var options: HeadOfficeOptions
        @Option(help: "Store id.") var id: String
        @Option(help: "Points (0 flags every overdraft).") var points: Int64

        func run() async throws {
            let (id, points) = (id, points)
            try await options.withDatabase { try await $0.setRedemptionAllowance(storeId: id, points: points) }
            print("store \(id): offline redemption allowance \(points) points")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stores with their sync position.")
        @OptionGroup var options: HeadOfficeOptions

        func run() async throws {
            let stores = try await options.withDatabase { try await $0.stores() }
            for store in stores {
                print("\(store.id)\t\(store.name)\t\(store.revokedAt == nil ? "active" : "revoked")\tacknowledged \(store.acknowledgedSequence)\tlast push \(store.lastPushAt.map { "\($0)" } ?? "never")")
            }
        }
    }
}

struct HQSyncReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync-report", abstract: "Each store's acknowledged sequence, how much of it is applied, and any gap head office sees in it.")
    @OptionGroup var options: HeadOfficeOptions

    func run() async throws {
        let (report, backlog) = try await options.withDatabase { database in
            (try await database.syncReport(), try await database.projectionBacklog())
        }
        let pending = Dictionary(uniqueKeysWithValues: backlog.map { ($0.storeId, $0.pending) })
        var gaps = false
        for (store, missing) in report {
            gaps = gaps || !missing.isEmpty
            // Acknowledged events are stored; "applied" is how far the projection has put them into profiles and reports.
            let applied = pending[store.id].map { "applied \(store.acknowledgedSequence - $0) (\($0) to apply)" } ?? "all applied"
            print("\(store.id)\tacknowledged \(store.acknowledgedSequence)\t\(applied)\thighest received \(store.highestReceived)\t\(missing.isEmpty ? "no gap" : "MISSING " + missing.map(\.description).joined(separator: ","))")
        }
        let overdrafts = try await options.withDatabase { try await $0.overdrafts() }
        for overdraft in overdrafts {
            print("OVERDRAFT\tstore \(overdraft.storeId)\tcustomer \(overdraft.profileId)\tredemption \(overdraft.redemptionId) of \(overdraft.cost) points left the balance at -\(overdraft.overdraft)")
        }
        if gaps { throw ExitCode(1) }
    }
}
