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
