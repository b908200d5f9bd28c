import ArgumentParser
import Foundation
import HeadOffice

/// `parcours hq reward …`: the chain's reward catalog, sent to every store.
struct HQRewardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reward", abstract: "Set the chain's reward catalog; stores receive it at their next sync.",
        subcommands: [Set.self, List.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or change a reward. From the first one, stores take their catalog from head office, not config/loyalty.json.")
        @OptionGroup var options: HeadOfficeOptions
        @Option(help: "Reward id (a-z 0-9 - _).") var id: String
        @Option(help: "Name shown at the kiosk and till.") var name: String
        @Option(help: "Cost in points.") var cost: Int64
        @Flag(help: "Withdraw the reward (it stays on record for past redemptions).") var inactive = false

        func run() async throws {
            let reward = CatalogReward(id: id, name: name, cost: cost, active: !inactive)
            try await options.withDatabase { try await $0.setReward(reward) }
            print("reward \(reward.id) \(reward.active ? "set" : "withdrawn"); stores receive the catalog at their next sync")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the chain's reward catalog.")
        @OptionGroup var options: HeadOfficeOptions

        func run() async throws {
            for reward in try await options.withDatabase({ try await $0.rewards() }) {
                print("\(reward.id)\t\(reward.cost) points\t\(reward.active ? "active" : "withdrawn")\t\(reward.name)")
            }
        }
    }
}
