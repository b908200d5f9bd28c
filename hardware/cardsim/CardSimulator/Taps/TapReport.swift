/// One command APDU the card received, and what it answered.
public struct APDUExchange: Hashable, Sendable {
    /// 1-based position among the tap's command APDUs.
    public let number: Int
    public let receivedAt: ContinuousClock.Instant
    public let command: [UInt8]
    /// `nil` when the card left without answering (``RemovalPolicy/duringCommand(number:maximumDwell:)``).
    public let response: [UInt8]?

    public init(number: Int, receivedAt: ContinuousClock.Instant, command: [UInt8], response: [UInt8]?) {
        self.number = number
        self.receivedAt = receivedAt
        self.command = command
        self.response = response
    }

    /// SW1 SW2 of the response as one number (`0x9000`), when there is a response of 2 bytes or more.
    public var statusWord: UInt16? {
        guard let response, response.count >= 2 else { return nil }
        return UInt16(response[response.count - 2]) << 8 | UInt16(response[response.count - 1])
    }
}

/// A vpcd control message the card received while in the field.
public struct ControlEvent: Hashable, Sendable {
    public let receivedAt: ContinuousClock.Instant
    public let control: VPCDControl

    public init(receivedAt: ContinuousClock.Instant, control: VPCDControl) {
        self.receivedAt = receivedAt
        self.control = control
    }
}

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

/// What a card in the field reports as it happens (for live traces such as `--verbose`).
public enum FieldEvent: Sendable {
    case control(ControlEvent)
    case exchange(APDUExchange)
    case removed(TapReport)
}
