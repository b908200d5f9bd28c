import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import StoreCore
import StoreSync
import SyncProtocol
import UnixSignals

/// `parcours sync`: the store's head-office sync on its own, without readers or HTTP. `parcours serve` runs the
/// same engine; this verb is for a store PC whose service is down, for a first catch-up, and for scripts.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Push the store's outbox to head office and apply head office's changes.",
        discussion: "Needs PARCOURS_HEADOFFICE_URL (or --head-office) and PARCOURS_HEADOFFICE_CREDENTIAL.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Head office's URL (default: PARCOURS_HEADOFFICE_URL).")
    var headOffice: String?

    @Flag(help: "One round, then exit: status 0 when everything was acknowledged and applied.")
    var once = false

    func run() async throws {
        let database = try await store.open()
        guard let link = try HeadOfficeLinkOptions.link(url: headOffice, storeId: database.storeId) else {
            throw ValidationError("no head office: pass --head-office or set PARCOURS_HEADOFFICE_URL")
        }
        try await HeadOfficeClient.withClient(link: link) { client in
            try await run(database: database, client: client)
        }
    }

    private func run(database: StoreDatabase, client: HeadOfficeClient) async throws {
        let link = client.link
        let engine = SyncEngine(database: database, client: client, logger: Logger(label: "parcours.sync"))
        if once {
            do {
                try await engine.syncOnce()
            } catch {
                throw ValidationError("sync failed: \(error)")
            }
            let status = await engine.status
            print("synced: \(status.pushedEvents) event(s) pushed, \(status.appliedChanges) change(s) applied, \(status.backlog) waiting")
            return
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: engine)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "parcours.sync")))
        FileHandle.standardOutput.write(Data("parcours sync: store \(database.storeId) ↔ \(link.url.absoluteString) (Ctrl-C stops)\n".utf8))
        try await group.run()
    }
}

/// The head-office link from an option or the environment, shared by `serve` and `sync`.
enum HeadOfficeLinkOptions {
    static func link(url option: String?, storeId: String) throws -> HeadOfficeLink? {
        let environment = ProcessInfo.processInfo.environment
        guard let text = option ?? environment["PARCOURS_HEADOFFICE_URL"], !text.isEmpty else { return nil }
        guard let url = URL(string: text) else { throw ValidationError("head-office URL '\(text.prefix(80))' is not a URL") }
        guard let secret = environment["PARCOURS_HEADOFFICE_CREDENTIAL"], !secret.isEmpty else {
            throw ValidationError("PARCOURS_HEADOFFICE_CREDENTIAL is not set: 'parcours hq store add' prints the store's credential")
        }
        do {
            let credential = try StoreCredential(parsing: secret)
            guard credential.storeId == storeId else {
                throw ValidationError("PARCOURS_HEADOFFICE_CREDENTIAL is store \(credential.storeId)'s, but this database is store \(storeId)'s")
            }
            let seconds = try number(environment, "PARCOURS_HEADOFFICE_INTERVAL_SECONDS", default: 5, in: 0.01...3600)
            let batch = try number(environment, "PARCOURS_HEADOFFICE_BATCH_SIZE", default: Double(PushBatch.maximumEvents), in: 1...Double(PushBatch.maximumEvents))
            let cap = try number(environment, "PARCOURS_HEADOFFICE_BACKOFF_CAP_SECONDS", default: 60, in: 0.01...3600)
            let caFile = environment["PARCOURS_HEADOFFICE_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            if caFile != nil, url.scheme != "https" {
                throw ValidationError("PARCOURS_HEADOFFICE_CA_FILE is set but the head-office URL is not https: '\(text.prefix(80))'")
            }
            return try HeadOfficeLink(url: url, credential: credential, interval: .milliseconds(Int(seconds * 1000)),
                                      batchSize: Int(batch),
                                      backoff: Backoff(base: .milliseconds(min(500, Int(cap * 1000))), cap: .milliseconds(Int(cap * 1000))),
                                      caFile: caFile)
        } catch let error as SyncProtocolError {
            throw ValidationError(error.description.replacingOccurrences(of: "headOffice.caFile", with: "PARCOURS_HEADOFFICE_CA_FILE"))
        }
    }

    /// Runs `body` with a client for `link` (nil when the store runs alone); see `HeadOfficeClient.withClient`.
    static func withClient<T: Sendable>(_ link: HeadOfficeLink?, _ body: (HeadOfficeClient?) async throws -> T) async throws -> T {
        guard let link else { return try await body(nil) }
        return try await HeadOfficeClient.withClient(link: link) { try await body($0) }
    }

    private static func number(_ environment: [String: String], _ name: String, default value: Double,
                               in range: ClosedRange<Double>) throws -> Double {
        guard let text = environment[name] else { return value }
        guard let number = Double(text), range.contains(number) else {
            throw ValidationError("\(name) must be a number from \(range.lowerBound) to \(range.upperBound), got '\(text.prefix(20))'")
        }
        return number
    }
}
