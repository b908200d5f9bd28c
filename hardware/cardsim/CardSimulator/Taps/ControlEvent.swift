/// A vpcd control message the card received while in the field.
public struct ControlEvent: Hashable, Sendable {
    public let receivedAt: ContinuousClock.Instant
    public let control: VPCDControl

    public init(receivedAt: ContinuousClock.Instant, control: VPCDControl) {
        self.receivedAt = receivedAt
        self.control = control
    }
}
