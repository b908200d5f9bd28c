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
