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
