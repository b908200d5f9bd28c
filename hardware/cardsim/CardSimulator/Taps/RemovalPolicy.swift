/// When a card inserted into a virtual reader leaves its field.
///
/// pcscd polls vpcd for presence and notices a card about 0–400 ms after it arrives, so a card
/// that leaves sooner than ~0.5 s may never be seen at all.
public enum RemovalPolicy: Hashable, Sendable {
    /// Stays until ``CardInField/remove()`` (or the reader goes away).
    case onRequest
    /// Leaves after a fixed time in the field.
    case afterDwell(Duration)
    /// Leaves right after answering command APDU number `commands` (1-based), or after
    /// `maximumDwell` if fewer commands come.
    case afterAnswering(commands: Int, maximumDwell: Duration)
    /// Command APDU number `number` arrives and the card leaves without answering it: a card pulled
    /// out in the middle of a read. Leaves after `maximumDwell` if that command never comes.
    case duringCommand(number: Int, maximumDwell: Duration)
    /// Leaves once at least one command APDU came and none has for `idle` (the customer pulls the
    /// card after the beep), or after `maximumDwell`.
    case whenIdle(idle: Duration, maximumDwell: Duration)
}

/// Why a card left the field.
public enum RemovalReason: Hashable, Sendable, CustomStringConvertible {
    /// ``CardInField/remove()`` or a cancelled tap.
    case requested
    /// ``RemovalPolicy/afterDwell(_:)`` ran out.
    case dwellElapsed
    /// The policy's maximum dwell ran out before its other condition was met.
    case maximumDwellElapsed
    /// ``RemovalPolicy/whenIdle(idle:maximumDwell:)``: no command for the idle time.
    case idle
    /// ``RemovalPolicy/afterAnswering(commands:maximumDwell:)``: the last command was answered.
    case answeredCommandLimit
    /// ``RemovalPolicy/duringCommand(number:maximumDwell:)``: left with that command unanswered.
    case pulledDuringCommand
    /// vpcd closed the connection: pcscd stopped or restarted.
    case readerClosedConnection
    /// The connection broke or vpcd broke its protocol; the message says how.
    case connectionFailed(String)

    public var description: String {
        switch self {
        case .requested: "removed on request"
        case .dwellElapsed: "dwell time elapsed"
        case .maximumDwellElapsed: "maximum dwell time elapsed"
        case .idle: "no command for the idle time"
        case .answeredCommandLimit: "answered the last command allowed"
        case .pulledDuringCommand: "pulled out during a command, left unanswered"
        case .readerClosedConnection: "the reader (vpcd) closed the connection"
        case .connectionFailed(let message): "connection failed: \(message)"
        }
    }
}
