import ArgumentParser
import Foundation
import PCSC
import ReaderService
import StoreCore
import StoreService

/// `parcours serve`: the store's reader service on its embedded defaults. Every tap on every reader is
/// identified and recorded as a visit in the store's SQLite database; the greeting is printed.
/// (The HTTP API, kiosk and till fronts come with the store service issue.)
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the store: watch the readers, identify each tap, record the visit, print the greeting.",
        discussion: "Runs until Ctrl-C. Tap a virtual card from another shell: swift run parcours-cardsim tap --reader 0 ntag215")

    @OptionGroup var store: StoreOptions

    @Option(help: "Identification settings JSON (default: config/identification.json if present).")
    var config: String?

    func run() async throws {
        let settings = try IdentificationSettings.load(configPath: config)
        var storeOptions = store
        if storeOptions.storeId == nil { storeOptions.storeId = settings.config.storeID }
        let recorder = TapRecorder(database: try await storeOptions.open())
        let service = ReaderService(identifier: try settings.tapIdentifier())
        let signals = SignalHandlers.stopOnInterrupt { service.stop() }
        defer { _ = signals }
        print("parcours: store \(recorder.database.storeId), database \(store.database); waiting for readers and taps (Ctrl-C stops)")
        for await event in service.events {
            switch event {
            case .reader(let readerEvent):
                print("\(Timestamp.now) \(readerEvent)")
            case .tap(let tap):
                print("\(Timestamp.now) \(await recorder.record(tap))")
            }
        }
    }
}
