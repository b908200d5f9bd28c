import ArgumentParser

@main
struct ParcoursCardsim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parcours-cardsim",
        abstract: "Plays virtual NFC cards to the rig's vpcd virtual readers, as if tapped on a real reader.",
        discussion: """
            The rig (hardware/rig/pcscd-rig start) runs pcscd with vpcd readers: reader index i listens \
            on 127.0.0.1:(35963 + i), indices 0–3 (0–5 with --extra). A card in the field is a TCP \
            connection to that port; removing the card closes it.

            pcscd polls the virtual readers and notices a card roughly 0–400 ms after it arrives: a tap \
            shorter than about 0.5 s may never be seen by any PC/SC client.
            """,
        subcommands: [TapCommand.self, PresentCommand.self, KindsCommand.self]
    )
}
