import ArgumentParser
import Foundation
import StoreCore

/// `parcours purchase record`.
struct PurchaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purchase",
        abstract: "Record till sales.",
        subcommands: [Record.self])

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a sale and credit its points (once per receipt: sending it again changes nothing).")

        @OptionGroup var store: StoreOptions
        @Option(help: "The customer's profile id; leave out for an anonymous sale.") var profile: String?
        @Option(help: "The receipt id, unique in this store.") var receipt: String
        @Option(help: "The amount as written on the receipt, e.g. 12.50.") var amount: String
        @Option(help: "ISO 4217 currency code.") var currency: String = "EUR"
        @Option(help: "The till that made the sale.") var till: String = "cli"
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let database = try await store.open()
            let currencyCode = try CurrencyCode(currency)
            let outcome = try await database.recordPurchase(PurchaseRequest(
                receiptId: receipt, tillDeviceId: till, amountMinor: try currencyCode.minorUnits(parsing: amount),
                currency: currencyCode.code, profileId: profile))
            if json { return try StoreJSON.print(outcome) }
            let sale = outcome.purchase
            print("\(outcome.isReplay ? "already recorded" : "recorded"): receipt \(sale.receiptId), \(currencyCode.format(minorUnits: sale.amountMinor)) \(sale.currency)")
            if let balance = outcome.balance {
                print("points earned: \(outcome.pointsEarned), balance: \(balance), tier: \(outcome.tier ?? "-")")
            } else {
                print("anonymous sale: no points")
            }
        }
    }
}
