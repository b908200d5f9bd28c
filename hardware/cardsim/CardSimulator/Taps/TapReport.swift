/// What happened while a card was in a virtual reader's field.
public struct TapReport: Hashable, Sendable {
    public let reader: VirtualReader
    /// When the TCP connection was up: the card entered the field.
    public let connectedAt: ContinuousClock.Instant
    /// When the connection was closed: the card left the field.
    public let removedAt: ContinuousClock.Instant
    public let removalReason: RemovalReason
    public let exchanges: [APDUExchange]
    public let controlEvents: [ControlEvent]

    public init(
        reader: VirtualReader, connectedAt: ContinuousClock.Instant, removedAt: ContinuousClock.Instant,
        removalReason: RemovalReason, exchanges: [APDUExchange], controlEvents: [ControlEvent]
    ) {
        self.reader = reader
        self.connectedAt = connectedAt
        self.removedAt = removedAt
        self.removalReason = removalReason
        self.exchanges = exchanges
        self.controlEvents = controlEvents
    }

    /// Time in the field.
    public var dwell: Duration { removedAt - connectedAt }

    /// The status word of each exchange, `nil` for an unanswered one.
    public var statusWords: [UInt16?] { exchanges.map(\.statusWord) }

    /// Whether the reader side did anything with the card: pcscd asks for the ATR (and powers the
    /// card on) when it notices it, so a card that saw no control message was never detected.
    public var wasNoticedByReader: Bool { !controlEvents.isEmpty || !exchanges.isEmpty }
}
