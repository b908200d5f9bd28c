import ArgumentParser
import CardSimulator
import Dispatch
import Glibc

struct PresentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "present",
        abstract: "Put a card on a virtual reader and leave it there until Ctrl-C or SIGTERM, then remove it cleanly."
    )

    @OptionGroup var card: CardOptions
    @OptionGroup var readerOptions: ReaderOptions

    @Flag(help: "Print each vpcd control message and APDU exchange in hex.")
    var verbose = false

    func run() async throws {
        let recipe = try card.recipe()
        let reader = try readerOptions.virtualReader()
        let virtualCard = try recipe.makeCard()
        if let details = CardDetails.beforeTaps(virtualCard) { print(details) }
        let observer = verbose ? FieldTrace.verboseObserver(origin: .now) : nil
        let field = try await reader.insert(virtualCard, removal: .onRequest, observer: observer)
        print("\(recipe.kind) is on \(reader); Ctrl-C or SIGTERM removes it")

        // The default handlers would kill the process with the card still "in the field" from
        // pcscd's point of view until it notices the dead socket; remove it properly instead.
        let sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { field.requestRemoval() }
            source.resume()
            return source
        }
        let report = await field.waitUntilRemoved()
        sources.forEach { $0.cancel() }
        print(FieldTrace.summary(report, label: "present: \(recipe.kind)"))
        if let details = CardDetails.afterTap(virtualCard) { print(details) }
    }
}
