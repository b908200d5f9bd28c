import ArgumentParser

@main
struct Parcours: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parcours",
        abstract: "Parcours: in-store phygital point of sale — NFC readers, store, head office.",
        subcommands: readerSubcommands + storeSubcommands
    )
}
