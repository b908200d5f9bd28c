import CPCSCLite

/// Access to cards through pcscd, on a thread of its own with a context of its own.
///
/// Give each reader its own `CardAccess` so that taps on two readers are served at the same time. When pcscd
/// restarts, the old context is dead even though pcsc-lite still calls it valid; the next call establishes a
/// new one.
public final class CardAccess: Sendable {
    private let thread: BlockingCallThread
    private let context = ContextSlot()

    public init(name: String = "pcsc") {
        thread = BlockingCallThread(name: "parcours.\(name)")
    }

    deinit { thread.stop() }

    /// The readers pcscd offers now.
    public func readerNames() async throws -> [String] {
        try await onContext { try $0.readerNames() }
    }

    /// The state of every reader now: card present or not, and its ATR.
    public func snapshot() async throws -> [ReaderSnapshot] {
        try await onContext { context in
            let names = try context.readerNames()
            guard !names.isEmpty else { return [] }
            var slots = names.map { ReaderStateSlot(readerName: $0, currentState: SCard.stateUnaware) }
            _ = try context.waitForStatusChange(&slots, timeoutMilliseconds: 0)
            return slots.map { ReaderSnapshot(name: $0.readerName, state: $0.eventState, atr: $0.atr) }
        }
    }

    /// Connects to the card in `reader` (shared, T=0 or T=1).
    public func connect(reader: String, share: ShareMode = .shared) async throws -> CardChannel {
        let thread = self.thread
        let (connection, atr) = try await onContext { context in
            let connection = try context.connect(reader: reader, share: share, protocols: SCard.protocolT0 | SCard.protocolT1)
            let atr = (try? connection.status().atr) ?? []
            return (connection, atr)
        }
        return CardChannel(readerName: reader, atr: atr, connection: connection, thread: thread)
    }

    /// Runs `body` with a live context on the thread, re-establishing it once if pcscd was restarted.
    private func onContext<T: Sendable>(_ body: @escaping @Sendable (PCSCContext) throws -> T) async throws -> T {
        try await thread.run { [context] in
            for attempt in 0..<2 {
                let live = try context.current ?? PCSCContext()
                context.current = live
                do {
                    return try body(live)
                } catch let error as PCSCError where error.meansServiceLost && attempt == 0 {
                    context.current = nil
                }
            }
            throw PCSCError(.noService, operation: "SCardEstablishContext")
        }
    }
}

/// The context of a `CardAccess`. `@unchecked Sendable`: it is read and written only on that access's thread.
private final class ContextSlot: @unchecked Sendable {
    var current: PCSCContext?
}

/// One reader's state at one moment.
public struct ReaderSnapshot: Sendable, Hashable {
    public let name: String
    public let isCardPresent: Bool
    public let isInUse: Bool
    public let isMute: Bool
    public let atr: [UInt8]

    init(name: String, state: DWORD, atr: [UInt8]) {
        self.name = name
        isCardPresent = state & SCard.statePresent != 0
        isInUse = state & (SCard.stateInUse | SCard.stateExclusive) != 0
        isMute = state & SCard.stateMute != 0
        self.atr = isCardPresent ? atr : []
    }
}
