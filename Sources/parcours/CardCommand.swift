import ArgumentParser
import Foundation
import PCSC
import ReaderService

/// `parcours card …`: read the next tap.
struct CardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Read and issue cards.",
        subcommands: [Read.self, Issue.self]
    )

    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Wait for a tap, then print the card's ATR, technology and identifiers.")

        @Option(help: "Only this reader: its full name, its index in `parcours readers --once`, or part of its name.")
        var reader: String?

        @Flag(help: "Print the tap result as JSON.")
        var json = false

        @Option(help: "Give up after this many seconds with no tap.")
        var wait: Double = 60

        @Option(help: "Identification settings JSON (default: config/identification.json if present, else built-in defaults). Secrets: PARCOURS_* variables or .parcours/secrets.json.")
        var config: String?

        func run() async throws {
            let settings = try IdentificationSettings.load(configPath: config)
            let service = ReaderService(identifier: try settings.tapIdentifier())
            defer { service.stop() }
            let selector = reader
            let waitFor = Duration.milliseconds(Int(wait * 1000))
            let result: TapResult? = try await withThrowingTaskGroup(of: TapResult?.self) { group in
                group.addTask {
                    var readerNames: [String] = []
                    for await event in service.events {
                        switch event {
                        case .reader(.readerAdded(let name)): readerNames.append(name)
                        case .tap(let tap) where ReaderSelector.matches(selector, reader: tap.reader, among: readerNames):
                            return tap
                        default: continue
                        }
                    }
                    return nil
                }
                group.addTask {
                    try await Task.sleep(for: waitFor)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            guard let result else {
                throw ValidationError("no tap within \(wait) s" + (reader.map { " on reader \($0)" } ?? ""))
            }
            if json {
                print(try TapResultJSON.encode(result))
            } else {
                print("reader:     \(result.reader)")
                print("ATR:        \(result.atr)")
                print("technology: \(result.technology)")
                if let uid = result.identifiers.cardUID { print("UID:        \(uid)") }
                if let card = result.identifiers.loyaltyCard { print("card id:    \(card)") }
                if let tag = result.identifiers.sunTag { print("SUN tag:    \(tag.uid), counter \(tag.counter)") }
                if let device = result.identifiers.appDevice { print("app device: \(device)") }
                if let scheme = result.identifiers.paymentScheme { print("payment:    \(scheme) \(result.identifiers.maskedPAN ?? "")") }
                if let failure = result.failure { print("failed:     \(failure)") }
                print("read in:    \(String(format: "%.1f", result.milliseconds)) ms, \(result.apduCount) APDUs")
            }
            if !result.succeeded { throw ExitCode(2) }
        }
    }
}

enum ReaderSelector {
    /// A reader matches by full name, by index in the reader list, or by part of its name.
    static func matches(_ selector: String?, reader: String, among names: [String]) -> Bool {
        guard let selector else { return true }
        if selector == reader { return true }
        if let index = Int(selector) { return names.indices.contains(index) && names[index] == reader }
        return reader.localizedCaseInsensitiveContains(selector)
    }
}

enum TapResultJSON {
    static func encode(_ result: TapResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(result), as: UTF8.self)
    }
}
