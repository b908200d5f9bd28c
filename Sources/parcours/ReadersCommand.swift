import ArgumentParser
import Foundation
import PCSC

/// `parcours readers`: the readers pcscd offers and their cards, live, like pcsc_scan.
struct ReadersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readers",
        abstract: "List readers and card state, then follow reader and card events live.",
        discussion: "Without --once it runs until Ctrl-C. Tap a virtual card from another shell with parcours-cardsim."
    )

    @Flag(help: "Print the readers and card state once, then exit.")
    var once = false

    func run() async throws {
        if once {
            let snapshot = try await CardAccess(name: "readers").snapshot()
            if snapshot.isEmpty { print("no readers (is pcscd running with a reader? try: hardware/rig/pcscd-rig start)") }
            for (index, reader) in snapshot.enumerated() {
                let card = reader.isCardPresent ? "card present, ATR \(reader.atr.hexString)" : "no card"
                print("\(index): \(reader.name) — \(card)")
            }
            return
        }
        let monitor = ReaderMonitor()
        let signals = SignalHandlers.stopOnInterrupt { monitor.stop() }
        defer { _ = signals }
        for await event in monitor.events {
            print("\(Timestamp.now) \(event)")
        }
    }
}

enum Timestamp {
    static var now: String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss.SSS"
        return formatter.string(from: Date())
    }
}

/// SIGINT/SIGTERM handling for commands that run until stopped.
enum SignalHandlers {
    static func stopOnInterrupt(_ stop: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: stop)
            source.resume()
            return source
        }
    }
}
