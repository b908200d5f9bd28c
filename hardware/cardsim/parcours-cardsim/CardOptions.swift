import ArgumentParser
import CardSimulator

/// The card to play: its kind and content, shared by `tap` and `present`.
struct CardOptions: ParsableArguments {
    @Argument(help: "The card kind (see 'parcours-cardsim kinds').")
    var kind: String

    @Option(help: "The tag's 7-byte UID in hex, e.g. 04A1B2C3D4E5F6 (default 04A1B2C3D4E5F6).")
    var uid: String?

    @Flag(help: "Factory content only (an empty NDEF TLV).")
    var blank = false

    @Flag(help: "Make the tag read-only after writing its content (CC access 0F and every lock bit set).")
    var locked = false

    func recipe() throws(CardSimulatorError) -> CardRecipe {
        let kind = try SimulatedCardKind(name: kind)
        let uid = try uid.map { text throws(CardSimulatorError) in try TagUID(hex: text) }
        return CardRecipe(kind: kind, uid: uid, blank: blank, locked: locked)
    }
}

/// The reader the card goes to.
struct ReaderOptions: ParsableArguments {
    @Option(name: .long, help: "Reader index: 0–3 (0–5 when the rig runs with --extra); port 35963 + index.")
    var reader = 0

    func virtualReader() throws(CardSimulatorError) -> VirtualReader {
        try VirtualReader.index(reader)
    }
}
