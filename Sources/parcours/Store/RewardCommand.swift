import ArgumentParser
import Foundation
import StoreCore

/// `parcours reward redeem|list`.
struct RewardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reward",
        abstract: "Spend points on rewards.",
        subcommands: [Redeem.self, List.self])

    struct Redeem: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a reward against the customer's points.")

        @OptionGroup var store: StoreOptions
        @Option(help: "The customer's profile id.") var profile: String
        @Option(help: "The reward id (see `parcours reward list`).") var reward: String
        @Option(help: "The device giving the reward.") var device: String = "cli"
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let outcome = try await store.open().redeem(profileId: profile, rewardId: reward, deviceId: device)
            if json { return try StoreJSON.print(outcome) }
            print("redeemed \(outcome.reward.name) for \(outcome.redemption.cost) points; balance now \(outcome.balance)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the reward catalog.")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let rewards = try await store.open().rewards()
            if json { return try StoreJSON.print(rewards) }
            for reward in rewards {
                print("\(reward.id)  \(reward.cost) points  \(reward.name)\(reward.active ? "" : " (inactive)")")
            }
        }
    }
}
