import CPCSCLite
import Testing

@testable import PCSC

/// The reader monitor's reading of pcscd's state words: presence bit plus the event counter in the upper 16 bits.
struct CardStateChangeTests {
    static let reader = "R"
    static let atr: [UInt8] = [0x3B, 0x80, 0x80, 0x01, 0x01]

    static func state(counter: DWORD, present: Bool) -> DWORD {
        counter << 16 | (present ? SCard.statePresent : SCard.stateEmpty)
    }

    @Test func insertion() {
        let events = CardStateChange.events(
            reader: Self.reader, wasPresent: false, previousState: Self.state(counter: 4, present: false),
            newState: Self.state(counter: 5, present: true), atr: Self.atr)
        #expect(events == [.cardInserted(reader: Self.reader, atr: Self.atr)])
    }

    @Test func removal() {
        let events = CardStateChange.events(
            reader: Self.reader, wasPresent: true, previousState: Self.state(counter: 5, present: true),
            newState: Self.state(counter: 6, present: false), atr: [])
        #expect(events == [.cardRemoved(reader: Self.reader)])
    }

    @Test("a tap that came and went between two calls is reported, not lost")
    func quickTapBetweenCalls() {
        let events = CardStateChange.events(
            reader: Self.reader, wasPresent: false, previousState: Self.state(counter: 6, present: false),
            newState: Self.state(counter: 8, present: false), atr: [])
        #expect(events == [.quickTapMissed(reader: Self.reader)])
    }

    @Test("three quick taps, then a card that stays")
    func severalQuickTapsThenInsertion() {
        let events = CardStateChange.events(
            reader: Self.reader, wasPresent: false, previousState: Self.state(counter: 10, present: false),
            newState: Self.state(counter: 17, present: true), atr: Self.atr)
        #expect(events == Array(repeating: .quickTapMissed(reader: Self.reader), count: 3) + [.cardInserted(reader: Self.reader, atr: Self.atr)])
    }

    @Test("a card swapped for another while we were not looking")
    func swapWhilePresent() {
        let events = CardStateChange.events(
            reader: Self.reader, wasPresent: true, previousState: Self.state(counter: 1, present: true),
            newState: Self.state(counter: 3, present: true), atr: Self.atr)
        #expect(events == [.cardRemoved(reader: Self.reader), .cardInserted(reader: Self.reader, atr: Self.atr)])
    }

    @Test("the 16-bit counter wraps around")
    func counterWraps() {
        let events = CardStateChange.events(
            reader: Self.reader, wasPresent: false, previousState: Self.state(counter: 0xFFFF, present: false),
            newState: Self.state(counter: 0x0001, present: false), atr: [])
        #expect(events == [.quickTapMissed(reader: Self.reader)])
    }

    @Test("nothing changed, nothing reported")
    func noChange() {
        let state = Self.state(counter: 9, present: true)
        #expect(CardStateChange.events(reader: Self.reader, wasPresent: true, previousState: state, newState: state, atr: Self.atr).isEmpty)
    }
}
