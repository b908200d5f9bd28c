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
