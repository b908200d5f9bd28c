import ArgumentParser
import Foundation
import HeadOffice

/// `parcours hq customer …`: a person's rights at head office (GDPR), reaching every store that knew them.
struct HQCustomerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer", abstract: "Export, erase, or record the consent of a customer, chain-wide.",
        subcommands: [Export.self, Erase.self, Consent.self, RevokeCard.self])

    static func uuid(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("customer id must be a UUID, got '\(text.prefix(40))'")
        }
        return id
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print everything head office holds about a customer, as JSON.")
        @OptionGroup var options: HeadOfficeOptions
        @Argument(help: "Customer (profile) id; an alias answers for its survivor.") var id: String

        func run() async throws {
            let id = try HQCustomerCommand.uuid(id)
            print(try await options.withDatabase { try await $0.exportCustomer(id: id) })
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a customer's personal data here and, at their next sync, in every store that knew them.")
        @OptionGroup var options: HeadOfficeOptions
        @Argument(help: "Customer (profile) id.") var id: String
        @Option(help: "Who asked, for the record (e.g. a ticket number).") var reason: String = "request"

        func run() async throws {
            let (id, reason) = (try HQCustomerCommand.uuid(id), reason)
            let erased = try await options.withDatabase { try await $0.eraseCustomer(id: id, source: "hq: \(reason)") }
            print(erased ? "customer \(id) erased; stores that knew them erase at their next sync" : "nothing to erase: unknown or already erased")
        }
    }

    struct RevokeCard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke-card",
            abstract: "Revoke a lost or stolen card, phone or payment token in every store.")
        @OptionGroup var options: HeadOfficeOptions
        @Option(help: "loyaltyCard, sunTag, cardUID, appDevice, paymentToken or paymentAccountReference.") var kind: String
        @Option(help: "The identifier's value, as `parcours hq customer export` shows it.") var value: String

        func run() async throws {
            let kinds = ["loyaltyCard", "sunTag", "cardUID", "appDevice", "paymentToken", "paymentAccountReference"]
            guard kinds.contains(kind) else { throw ValidationError("--kind must be one of \(kinds.joined(separator: ", "))") }
            let (kind, value) = (kind, value)
            try await options.withDatabase { try await $0.revokeIdentifier(kind: kind, value: value) }
            print("\(kind) revoked; stores stop recognizing it at their next sync")
        }
    }

    struct Consent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a consent answer and send it to the stores.")
        @OptionGroup var options: HeadOfficeOptions
        @Argument(help: "Customer (profile) id.") var id: String
        @Option(help: "marketingEmail, marketingSMS or profiling.") var purpose: String
        @Option(help: "granted or withdrawn.") var answer: String

        func run() async throws {
            let id = try HQCustomerCommand.uuid(id)
            guard ["granted", "withdrawn"].contains(answer) else { throw ValidationError("--answer must be granted or withdrawn") }
            let (purpose, granted) = (purpose, answer == "granted")
            try await options.withDatabase { try await $0.setConsent(profileId: id, purpose: purpose, granted: granted, source: "hq") }
            print("consent \(purpose) \(answer) for \(id)")
        }
    }
}
