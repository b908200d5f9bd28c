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
        return try await StoreDatabase.open(path: database, options: .init(storeId: storeId, rules: loyalty))
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
