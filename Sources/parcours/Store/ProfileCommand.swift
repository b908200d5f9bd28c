import ArgumentParser
import Foundation
import StoreCore

/// `parcours profile show|find`.
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Look up customer profiles.",
        subcommands: [Show.self, Find.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a profile: points, tier, identifiers, consents.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The profile id (a UUID).") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let details = try await store.open().profile(id: id)
            if json { return try StoreJSON.print(details) }
            let profile = details.profile
            print("profile:    \(profile.id)\(profile.isErased ? " (erased)" : "")")
            print("name:       \([profile.firstName, profile.lastName ?? ""].joined(separator: " ").trimmingCharacters(in: .whitespaces))")
            if let email = profile.email { print("email:      \(email)") }
            if let phone = profile.phone { print("phone:      \(phone)") }
            print("language:   \(profile.language)")
            print("points:     \(details.balance)")
            print("tier:       \(details.tier) (\(details.rollingPoints) points over the tier window)")
            print("visits:     \(details.visitCount)" + (details.lastVisitAt.map { ", last \($0.storeDisplay)" } ?? ""))
            print("since:      \(profile.createdAt.storeDisplay) (\(profile.origin.rawValue))")
            for identifier in details.identifiers {
                print("identifier: \(identifier.kind.rawValue) \(identifier.value)\(identifier.verified ? " (verified)" : "")")
            }
            for consent in details.consents {
                print("consent:    \(consent.purpose.rawValue) \(consent.granted ? "granted" : "not granted") on \(consent.at.storeDisplay)")
            }
            for entry in details.recentLedger {
                print("ledger:     \(entry.at.storeDisplay) \(entry.delta > 0 ? "+" : "")\(entry.delta) \(entry.reason.rawValue)")
            }
        }
    }

    struct Find: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Find profiles by email, phone or name.")

        @OptionGroup var store: StoreOptions
        @Option(help: "Email address (case-insensitive).") var email: String?
        @Option(help: "Phone number in international form, e.g. +33612345678.") var phone: String?
        @Option(help: "Words that start the first or last name.") var name: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard [email, phone, name].compactMap({ $0 }).count == 1 else {
                throw ValidationError("give exactly one of --email, --phone or --name")
            }
        }

        func run() async throws {
            let query: ProfileQuery = if let email { .email(email) } else if let phone { .phone(phone) } else { .name(name ?? "") }
            let profiles = try await store.open().findProfiles(query)
            if json { return try StoreJSON.print(profiles) }
            if profiles.isEmpty { print("no profile found") }
            for profile in profiles {
                print("\(profile.id)  \(profile.firstName) \(profile.lastName ?? "")  \(profile.email ?? "")  \(profile.phone ?? "")")
            }
        }
    }
}
