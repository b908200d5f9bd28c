import Foundation
import Synchronization

/// An ISO 14443-4 card that breaks the rules, to prove a reader service survives it: every
/// command APDU gets the answer of its ``Mode``. The reader's own pseudo-APDUs (`FF CA` for the UID
/// and ATS) stay honest, since the reader firmware answers them, so a client gets as far as its
/// first real command.
public final class HostileCard: VirtualCard {
    public enum Mode: String, CaseIterable, Sendable, CustomStringConvertible {
        /// One byte, `90`: shorter than any status word.
        case truncated
        /// 65 533 bytes and `90 00` (the largest vpcd frame), whatever Le asked for.
        case oversized
        /// `6C xx` naming a different length each time: a client that resends with Le = xx never ends.
        case wrongLength = "wrong-length"
        /// `61 10` to everything, GET RESPONSE included: "16 more bytes" for ever.
        case moreDataForever = "more-data-forever"
        /// Pseudo-random bytes, 0 to 40 of them (sometimes none), from a seeded generator.
        case nonsense
        /// `6A 82` after ``HostileCard/delay``: a card that takes too long to answer.
        case slow

        public var description: String { rawValue }
    }

    public let mode: Mode
    public let identity: ContactlessIdentity
    /// How long ``Mode/slow`` waits before each answer.
    public let delay: Duration

    struct State: Sendable {
        var generator: SplitMix64
        var alternate = false
    }

    let state: Mutex<State>

    /// - Parameters:
    ///   - delay: for ``Mode/slow``; the session thread sleeps, the caller's task never does.
    ///   - seed: for ``Mode/nonsense``.
    /// - Throws: ``CardSimulatorError/Code-swift.struct/invalidUID`` for a UID that is not 4, 7 or 10 bytes.
    public init(
        mode: Mode, uid: [UInt8] = [0x08, 0x0B, 0xAD, 0x01], delay: Duration = .seconds(2), seed: UInt64 = 0x0BAD_CA7D
    ) throws(CardSimulatorError) {
        self.mode = mode
        self.delay = delay
        identity = try ContactlessIdentity(uid: uid, historicalBytes: [])
        state = Mutex(State(generator: SplitMix64(seed: seed)))
    }

    public var atr: [UInt8] { identity.atr }

    public func powerOn() {}

    public func respond(to command: [UInt8]) -> [UInt8] {
        if command.first == 0xFF, let apdu = try? IncomingAPDU(parsing: command) {
            return identity.answerReaderCommand(apdu)
        }
        switch mode {
        case .truncated:
            return [0x90]
        case .oversized:
            return [UInt8](repeating: 0xA5, count: VPCDMessage.maximumBodyLength - 2) + StatusWord.success
        case .wrongLength:
            let flip = state.withLock { state in
                state.alternate.toggle()
                return state.alternate
            }
            return StatusWord.exactLength(flip ? 0x10 : 0x20)
        case .moreDataForever:
            let isGetResponse = command.count >= 2 && command[1] == 0xC0
            return (isGetResponse ? [UInt8](repeating: 0x61, count: 16) : []) + [0x61, 0x10]
        case .nonsense:
            return state.withLock { state in
                let count = Int(state.generator.next() % 41)
                return (0..<count).map { _ in UInt8(truncatingIfNeeded: state.generator.next()) }
            }
        case .slow:
            let (seconds, attoseconds) = delay.components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
            return StatusWord.fileNotFound
        }
    }
}
