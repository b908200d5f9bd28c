import CardProtocols

/// Everything needed to build one simulated card, as the command line describes it.
///
/// Kept in the library, not the executable, so tests and the rig build exactly the cards the CLI builds.
public struct CardRecipe: Hashable, Sendable {
    public var kind: SimulatedCardKind
    /// The UID; `nil` uses ``TagUID/sample``.
    public var uid: TagUID?
    /// A URI record for the NDEF message.
    public var ndefURI: String?
    /// A text record (language `en`) for the NDEF message, after the URI record when both are given.
    public var ndefText: String?
    /// Factory content and nothing else; contradicts an NDEF message.
    public var blank: Bool
    /// Made read-only after its content is written (CC access `0F` and every lock bit).
    public var locked: Bool

    public init(
        kind: SimulatedCardKind, uid: TagUID? = nil, ndefURI: String? = nil, ndefText: String? = nil, blank: Bool = false,
        locked: Bool = false
    ) {
        self.kind = kind
        self.uid = uid
        self.ndefURI = ndefURI
        self.ndefText = ndefText
        self.blank = blank
        self.locked = locked
    }

    /// The NDEF message the options describe; `nil` when there is none.
    public func ndefMessage() throws(CardSimulatorError) -> NDEFMessage? {
        var records: [NDEFRecord] = []
        if let ndefURI {
            guard !ndefURI.isEmpty else { throw CardSimulatorError(.invalidArgument, "the NDEF URI is empty") }
            records.append(.uri(ndefURI))
        }
        if let ndefText {
            do {
                records.append(try .text(ndefText))
            } catch {
                throw CardSimulatorError(.invalidArgument, "the NDEF text cannot be encoded: \(error.message)")
            }
        }
        return records.isEmpty ? nil : NDEFMessage(records: records)
    }

    /// Builds a fresh card.
    /// - Throws: ``CardSimulatorError`` when the options contradict each other or the content does not fit.
    public func makeCard() throws(CardSimulatorError) -> any VirtualCard {
        let message = try ndefMessage()
        if blank && message != nil {
            throw CardSimulatorError(.invalidArgument, "a blank tag has no NDEF message: drop --blank or the --ndef options")
        }
        guard let model = kind.ntagModel else {
            throw CardSimulatorError(.unknownCardKind, "no recipe for card kind '\(kind)'")
        }
        let uid = uid ?? .sample
        if let message {
            return try NTAGTag(model: model, uid: uid, ndef: message, readOnly: locked)
        }
        let tag = try NTAGTag(model: model, uid: uid)
        if locked { tag.makeReadOnly() }
        return tag
    }
}
