/// Everything needed to build one simulated card, as the command line describes it.
///
/// Kept in the library, not the executable, so tests and the rig build exactly the cards the CLI builds.
public struct CardRecipe: Hashable, Sendable {
    public var kind: SimulatedCardKind
    /// The UID; `nil` uses ``TagUID/sample``.
    public var uid: TagUID?
    /// Factory content and nothing else.
    public var blank: Bool
    /// Made read-only after its content is written (CC access `0F` and every lock bit).
    public var locked: Bool

    public init(kind: SimulatedCardKind, uid: TagUID? = nil, blank: Bool = false, locked: Bool = false) {
        self.kind = kind
        self.uid = uid
        self.blank = blank
        self.locked = locked
    }

    /// Builds a fresh card.
    /// - Throws: ``CardSimulatorError`` when the options contradict each other or the content does not fit.
    public func makeCard() throws(CardSimulatorError) -> any VirtualCard {
        guard let model = kind.ntagModel else {
            throw CardSimulatorError(.unknownCardKind, "no recipe for card kind '\(kind)'")
        }
        let tag = try NTAGTag(model: model, uid: uid ?? .sample)
        if locked { tag.makeReadOnly() }
        return tag
    }
}
