/// A card as the simulator plays it to a virtual reader: an ATR and an answer to every command APDU.
///
/// The simulator stands in for both the card and the contactless reader's firmware, so a card also
/// answers the reader's pseudo-APDUs (class `FF`: GET DATA for the UID, READ/UPDATE BINARY on
/// memory cards) exactly as a real reader would answer them for that card.
///
/// Conforming types are `final class`es whose mutable state sits behind a `Synchronization.Mutex`:
/// the vpcd session calls them from its own thread while tests inspect their memory.
public protocol VirtualCard: AnyObject, Sendable {
    /// The answer to reset the reader reports for this card (PC/SC part 3 ATR for contactless cards).
    var atr: [UInt8] { get }

    /// The card enters the field or is reset: volatile state (authentication, selected file,
    /// per-activation counters) starts over.
    func powerOn()

    /// The reader switches the field off (vpcd control code `00`).
    func powerOff()

    /// The response APDU (data followed by SW1 SW2) to one command APDU. Total: any bytes give an answer.
    func respond(to command: [UInt8]) -> [UInt8]
}

extension VirtualCard {
    public func powerOff() {}
}
