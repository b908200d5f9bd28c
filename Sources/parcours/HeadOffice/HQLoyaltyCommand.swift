import ArgumentParser
import Foundation
import HeadOffice
import SyncProtocol

/// `parcours hq loyalty …`: the chain's earning rules, sent to every store.
struct HQLoyaltyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loyalty", abstract: "Set the chain's loyalty earning rules; stores receive them at their next sync.",
        subcommands: [Set.self, Show.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the rules from a JSON file shaped like config/loyalty.json, without \"rewards\" (see 'hq reward'). From then on stores earn by them, not by their own file.")
        @OptionGroup var options: HeadOfficeOptions
        @Argument(help: "The rules file.") var file: String

        func run() async throws {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw ValidationError("cannot read \(file): \(error.localizedDescription)")
            }
            let rules = try await options.withDatabase { try await $0.setLoyaltyRules(json: data) }
            let perUnit = rules.pointsPerUnit.rounded() == rules.pointsPerUnit ? String(Int64(rules.pointsPerUnit)) : String(rules.pointsPerUnit)
            print("loyalty rules set: \(perUnit) point(s) per \(rules.currency), \(rules.tiers.count) tier(s); stores receive them at their next sync")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the chain's rules as JSON (exit 1 if none are set).")
        @OptionGroup var options: HeadOfficeOptions

        func run() async throws {
            guard let (rules, updatedAt) = try await options.withDatabase({ try await $0.loyaltyRules() }) else {
                FileHandle.standardError.write(Data("no chain loyalty rules yet: every store earns by its own config/loyalty.json\n".utf8))
                throw ExitCode(1)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rules), as: UTF8.self))
            FileHandle.standardError.write(Data("set \(updatedAt.formatted(Date.ISO8601FormatStyle()))\n".utf8))
        }
    }
}
