import ArgumentParser
import Foundation
import HeadOffice

/// `parcours hq api-key …`: keys for the e-commerce platform's webhook calls.
struct HQAPIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key", abstract: "Create, revoke and list API keys for the e-commerce webhook.",
        subcommands: [Add.self, Revoke.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it (once: head office keeps only its SHA-256).")
        @OptionGroup var options: HeadOfficeOptions
        @Option(help: "Who the key is for, e.g. shop-prod.") var name: String

        func run() async throws {
            let name = name
            let key = try await options.withDatabase { try await $0.addAPIKey(name: name) }
            print("""
                API key '\(name)' created. The key, shown only this once:

                  \(key)

                The e-commerce platform sends it as: Authorization: Bearer \(key)
                """)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse a key from now on (calls with it get a 403).")
        @OptionGroup var options: HeadOfficeOptions
        @Option(help: "The key's name.") var name: String

        func run() async throws {
            let name = name
            try await options.withDatabase { try await $0.revokeAPIKey(name: name) }
            print("API key '\(name)' revoked")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys by name (never the keys themselves).")
        @OptionGroup var options: HeadOfficeOptions

        func run() async throws {
            for key in try await options.withDatabase({ try await $0.apiKeys() }) {
                print("\(key.name)\tcreated \(key.createdAt)\t\(key.revokedAt.map { "revoked \($0)" } ?? "active")")
            }
        }
    }
}
