import ArgumentParser
import Foundation
import StoreCore

/// The options every store verb shares: which file, which store, which loyalty rules.
struct StoreOptions: ParsableArguments {
    @Option(help: "The store's SQLite database.")
    var database: String = ".parcours/store.sqlite"

    @Option(help: "The store this database belongs to (required when the file is new).")
    var storeId: String?

    @Option(help: "Loyalty rules JSON (default: config/loyalty.json if present, else the built-in defaults).")
    var rules: String?

    func open() async throws -> StoreDatabase {
        let rulesPath = rules ?? (FileManager.default.fileExists(atPath: "config/loyalty.json") ? "config/loyalty.json" : nil)
        let loyalty = try rulesPath.map { try LoyaltyRules(contentsOf: URL(fileURLWithPath: $0)) } ?? .default
        return try await StoreDatabase.open(path: database, options: .init(storeId: storeId, rules: loyalty,
                                                                           offlineAfter: try Self.offlineAfter()))
    }

    /// PARCOURS_OFFLINE_AFTER_SECONDS: how long head office may stay silent before the store counts as offline
    /// and redemptions may use the offline allowance (default 120).
    static func offlineAfter() throws -> TimeInterval {
        let name = "PARCOURS_OFFLINE_AFTER_SECONDS"
        guard let text = ProcessInfo.processInfo.environment[name], !text.isEmpty else { return 120 }
        guard let seconds = TimeInterval(text), seconds.isFinite, (1...86_400).contains(seconds) else {
            throw ValidationError("\(name) must be a number of seconds from 1 to 86400, got '\(text.prefix(20))'")
        }
        return seconds
    }
}

enum StoreJSON {
    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

extension Date {
    var storeDisplay: String { formatted(Date.ISO8601FormatStyle()) }
}
