import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PCSC
import ReaderService
import ServiceLifecycle
import StoreCore
import StoreService
import StoreSync
import SyncProtocol
import UnixSignals

/// `parcours serve`: the store's main job. The reader service loop and the HTTP/WebSocket server run side by
/// side under swift-service-lifecycle; SIGINT or SIGTERM shuts both down gracefully (the server stops taking
/// connections and finishes the requests in flight; the reader loop stops its monitor).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the store: readers, tap recording, and the HTTP API for the kiosk and till.",
        discussion: """
            Runs until Ctrl-C or SIGTERM. Tap a virtual card from another shell:
              swift run parcours-cardsim tap --reader 0 ntag215
            Enrol the screens first: parcours device add --kind kiosk --name Kiosk --reader '<reader name>'
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Identification settings JSON (default: config/identification.json if present).")
    var config: String?

    @Option(help: "Store service settings JSON (default: config/store.json if present). PARCOURS_* environment variables override it, e.g. PARCOURS_HTTP_PORT.")
    var serviceConfig: String?

    @Option(help: "Address to listen on (overrides http.host; default 127.0.0.1: the fronts run on this machine).")
    var host: String?

    @Option(help: "Port to listen on (overrides http.port; default 8080).")
    var port: Int?

    @Option(help: "Head office's URL (default: PARCOURS_HEADOFFICE_URL; unset: the store runs alone). The store's credential comes from PARCOURS_HEADOFFICE_CREDENTIAL.")
    var headOffice: String?

    @Option(name: .customLong("reader"), help: ArgumentHelp(
        "Read taps only on this reader (repeatable; default: every reader). Several stores on one machine share pcscd's readers: each watches its own.",
        valueName: "name"))
    var readers: [String] = []

    func validate() throws {
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be between 1 and 65535, got \(port)") }
    }

    func run() async throws {
        let logger = Logger(label: "parcours.serve")
        let configPath = serviceConfig ?? (FileManager.default.fileExists(atPath: "config/store.json") ? "config/store.json" : nil)
        let configuration: StoreConfiguration
        do {
            configuration = try StoreConfiguration.load(file: configPath)
        } catch let error as ConfigurationError {
            // Stop before opening anything, with the key and the problem.
            throw ValidationError(error.description)
        }
        let identification = try IdentificationSettings.load(configPath: config)
        var storeOptions = store
        if storeOptions.storeId == nil { storeOptions.storeId = configuration.storeId ?? identification.config.storeID }
        let database = try await storeOptions.open()
        do {
            for change in try await DeviceReaderBindings.apply(configuration.deviceReaders, to: database) {
                console("parcours: \(change)")
            }
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        var settings = configuration.service
        if let host { settings.host = host }
        if let port { settings.port = port }
        let (host, port) = (settings.host, settings.port)
        let readerService = ReaderService(identifier: try identification.tapIdentifier(),
                                          readers: readers.isEmpty ? nil : Set(readers))
        let cardIssuing = CardIssuing.through(
            readerService, issuer: try CardIssuer(settings: identification),
            host: identification.config.loyaltyCardHosts.first ?? IdentificationConfig.defaultLoyaltyCardHosts[0],
            waitingUpTo: .seconds(30))
        let api = StoreAPI(database: database, settings: settings, cardIssuing: cardIssuing)
        let pipeline = TapPipeline(recorder: TapRecorder(database: database), board: api.board, metrics: api.metrics)
        let readers = ReaderLoop(service: readerService, pipeline: pipeline, status: api.status, logger: logger)
        let application = try buildStoreApplication(api: api, logger: Logger(label: "parcours.http"))

        logger.info("store service starting", metadata: [
            "store": "\(database.storeId)", "database": "\(store.database)", "listen": "\(host):\(port)",
        ])
        let link = try HeadOfficeLinkOptions.link(url: headOffice, storeId: database.storeId)
        try await HeadOfficeLinkOptions.withClient(link) { client in
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: application), .init(service: readers)]
            if let client {
                let link = client.link
                let status = api.status
                services.append(.init(service: SyncEngine(database: database, client: client, onStatus: { sync in
                    await status.headOffice(sync.description, state: HeadOfficeSyncState(
                        lastSuccessAt: sync.lastSuccessAt, consecutiveFailures: sync.consecutiveFailures,
                        pushedEvents: sync.pushedEvents, appliedChanges: sync.appliedChanges))
                })))
                await status.headOffice("connecting", state: HeadOfficeSyncState())
                console("parcours: syncing with head office at \(link.url.absoluteString)")
            }
            let group = ServiceGroup(configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
            console("parcours: store \(database.storeId) serving \(settings.tls == nil ? "http" : "https")://\(host):\(port) (Ctrl-C stops)")
            try await group.run()
        }
    }
}

/// The reader service as a lifecycle service: each event updates the health status; each tap goes through the
/// pipeline (visit, metrics, the device's screen). Logs carry device ids and outcomes, never names or card data.
struct ReaderLoop: Service {
    let service: ReaderService
    let pipeline: TapPipeline
    let status: ServiceStatus
    let logger: Logger

    func run() async throws {
        let service = service
        await withTaskCancellationOrGracefulShutdownHandler {
            for await event in service.events {
                switch event {
                case .reader(let readerEvent):
                    await note(readerEvent)
                case .tap(let tap):
                    let recording = await pipeline.handle(tap)
                    log(recording)
                    // The console line for the person running `make run`: ids and counts, no names, no card data.
                    console("\(Timestamp.now) \(recording)")
                }
            }
        } onCancelOrGracefulShutdown: {
            service.stop()
        }
    }

    private func note(_ event: ReaderEvent) async {
        switch event {
        case .serviceAvailable:
            await status.pcsc(available: true)
            logger.info("pcscd available")
        case .serviceUnavailable:
            await status.pcsc(available: false)
            logger.warning("pcscd unavailable")
        case .readerAdded(let name):
            console("\(Timestamp.now) reader added: \(name)")
            await status.readerAdded(name)
            logger.info("reader added", metadata: ["reader": "\(name)"])
        case .readerRemoved(let name):
            await status.readerRemoved(name)
            logger.info("reader removed", metadata: ["reader": "\(name)"])
        case .quickTapMissed(let reader):
            logger.notice("card gone before it could be read", metadata: ["reader": "\(reader)"])
        case .cardInserted, .cardRemoved:
            break
        }
    }

    private func log(_ recording: TapRecorder.Recording) {
        switch recording {
        case .unreadable(let reader, _):
            logger.notice("tap unreadable", metadata: ["reader": "\(reader)"])
        case .notRecorded(let tap, _):
            logger.warning("tap read but not recorded", metadata: ["reader": "\(tap.reader)"])
        case .recorded(let tap, let deviceId, let outcome):
            logger.info("tap recorded", metadata: [
                "device": "\(deviceId)", "customer": "\(outcome.greeting == nil ? "unknown" : "known")",
                "newVisit": "\(outcome.isNewVisit)", "ms": "\(Int(tap.milliseconds))",
            ])
        }
    }
}

/// One line on standard output, written at once: seen as it happens even when stdout is a pipe or a journal,
/// where `print` would hold it in a buffer.
func console(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
