/// One message from vpcd (the reader side) to the card: a control code or a command APDU.
///
/// vpcd frames every message, both ways, as a 2-byte big-endian length and that many bytes. A
/// 1-byte body is a control code; anything longer is a command APDU.
enum VPCDMessage: Equatable, Sendable {
    case control(VPCDControl)
    case command([UInt8])

    /// `nil` for an empty body, which vpcd never sends and which carries nothing to answer.
    init?(body: [UInt8]) {
        switch body.count {
        case 0: return nil
        case 1: self = .control(VPCDControl(code: body[0]))
        default: self = .command(body)
        }
    }

    /// The 2-byte length field bounds every frame; a longer answer cannot be framed.
    static let maximumBodyLength = Int(UInt16.max)

    /// Length prefix and body, ready for a single write.
    static func frame(_ body: [UInt8]) throws(CardSimulatorError) -> [UInt8] {
        guard body.count <= maximumBodyLength else {
            throw CardSimulatorError(
                .vpcdProtocolViolation,
                "a \(body.count)-byte answer cannot be framed: vpcd's 2-byte length field stops at \(maximumBodyLength)")
        }
        return [UInt8(truncatingIfNeeded: body.count >> 8), UInt8(truncatingIfNeeded: body.count)] + body
    }
}

/// vpcd's control codes: 1-byte messages about the card's power, and the request for its ATR.
public enum VPCDControl: Hashable, Sendable, CustomStringConvertible {
    /// `00`: the reader powers the card down. No answer.
    case powerOff
    /// `01`: the reader powers the card up (SCardConnect). No answer.
    case powerOn
    /// `02`: warm reset. No answer.
    case reset
    /// `04`: the reader asks for the ATR; vpcd also sends it to check that the card is present.
    case getATR
    /// Any other 1-byte message; ignored, as vicc does.
    case unknown(UInt8)

    init(code: UInt8) {
        switch code {
        case 0x00: self = .powerOff
        case 0x01: self = .powerOn
        case 0x02: self = .reset
        case 0x04: self = .getATR
        default: self = .unknown(code)
        }
    }

    public var description: String {
        switch self {
        case .powerOff: "power off"
        case .powerOn: "power on"
        case .reset: "reset"
        case .getATR: "get ATR"
        case .unknown(let code): "unknown control \(Hex.encode([code]))"
        }
    }
}
