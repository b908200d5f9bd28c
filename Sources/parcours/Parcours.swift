import ArgumentParser
import Foundation
import Logging

@main
struct Parcours: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parcours",
        abstract: "Parcours: in-store phygital point of sale — NFC readers, store, head office.",
        subcommands: readerSubcommands + storeSubcommands + [HeadOfficeCommand.self, DemoCommand.self, DoctorCommand.self]
    )

    static func main() async {
        bootstrapLogging()
        await main(nil)
    }

    /// Logs go to standard error, at `PARCOURS_LOG_LEVEL` (default `warning` so command output stays clean).
    private static func bootstrapLogging() {
        let level = ProcessInfo.processInfo.environment["PARCOURS_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
