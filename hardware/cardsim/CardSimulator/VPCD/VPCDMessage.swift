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
