import ArgumentParser
import CardSimulator

/// The card to play: its kind and content, shared by `tap` and `present`.
struct CardOptions: ParsableArguments {
    @Argument(help: "The card kind (see 'parcours-cardsim kinds').")
    var kind: String

    @Option(help: "The tag's 7-byte UID in hex, e.g. 04A1B2C3D4E5F6 (default 04A1B2C3D4E5F6).")
    var uid: String?

    @Option(name: .customLong("ndef-uri"), help: "Write an NDEF message with this URI record, e.g. https://example.com/x.")
    var ndefURI: String?

    @Option(name: .customLong("ndef-text"), help: "Write an NDEF text record (language en); after the URI record if both are given.")
    var ndefText: String?

    @Flag(help: "Factory content only (an empty NDEF TLV). The default when no --ndef option is given.")
    var blank = false

    @Flag(help: "Make the tag read-only after writing its content (CC access 0F and every lock bit set).")
    var locked = false

    func recipe() throws(CardSimulatorError) -> CardRecipe {
        let kind = try SimulatedCardKind(name: kind)
        let uid = try uid.map { text throws(CardSimulatorError) in try TagUID(hex: text) }
        return CardRecipe(kind: kind, uid: uid, ndefURI: ndefURI, ndefText: ndefText, blank: blank, locked: locked)
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
