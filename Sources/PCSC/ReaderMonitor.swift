import CPCSCLite
import Foundation
import Logging

/// Watches every reader pcscd offers and publishes reader and card events as an `AsyncSequence`.
///
/// It runs on a thread of its own, blocked in `SCardGetStatusChange` on all readers plus
/// `\\?PnP?\Notification` (hot-plug). It compares pcscd's per-reader event counter (upper 16 bits of
/// `dwEventState`) so a tap that came and went between two calls is still seen. When pcscd stops or restarts it
/// reports the readers gone, re-establishes its context with capped backoff, re-lists readers and goes on.
public final class ReaderMonitor: Sendable {
    /// The events, in order. One consumer.
    public let events: AsyncStream<ReaderEvent>
    private let loop: MonitorLoop

    public struct Configuration: Sendable {
        /// First delay before re-establishing a lost pcscd connection; doubled each failure up to `maximumBackoff`.
        public var initialBackoff: Duration = .milliseconds(50)
        public var maximumBackoff: Duration = .seconds(2)
        /// How long one status wait blocks before the loop looks at its stop flag again.
        public var pollTimeout: Duration = .seconds(1)
        public init() {}
    }

    public init(configuration: Configuration = Configuration(), logger: Logger = Logger(label: "parcours.readers")) {
        let (stream, continuation) = AsyncStream.makeStream(of: ReaderEvent.self, bufferingPolicy: .unbounded)
        events = stream
        loop = MonitorLoop(configuration: configuration, continuation: continuation, logger: logger)
        let loop = self.loop
        let thread = Thread { loop.run() }
        thread.name = "parcours.reader-monitor"
        thread.start()
        continuation.onTermination = { _ in loop.stop() }
    }

    deinit { loop.stop() }

    /// Stops watching: finishes the event stream at once (no event follows a stop) and wakes the blocked wait
    /// with `SCardCancel`; the thread ends within one poll.
    public func stop() { loop.stop() }
}

/// The monitor's thread. `@unchecked Sendable`: `stopping` and `liveContext` are guarded by `control`;
/// everything else is touched only by the monitor thread.
private final class MonitorLoop: @unchecked Sendable {
    private let configuration: ReaderMonitor.Configuration
    private let continuation: AsyncStream<ReaderEvent>.Continuation
    private let logger: Logger

    private let control = NSCondition()
    private var stopping = false
    private var liveContext: PCSCContext?

    private struct Reader {
        var currentState: DWORD = SCard.stateUnaware
        var isCardPresent = false
        var isKnown = false  // false until the first status answer for this reader
    }
    private var readers: [String: Reader] = [:]
    private var readerOrder: [String] = []
    private var plugAndPlayState: DWORD = SCard.stateUnaware
    private var needsRelist = true
    private var serviceUp: Bool?
    private var backoff: Duration

    init(configuration: ReaderMonitor.Configuration, continuation: AsyncStream<ReaderEvent>.Continuation, logger: Logger) {
        self.configuration = configuration
        self.continuation = continuation
        self.logger = logger
        backoff = configuration.initialBackoff
    }

    func stop() {
        control.lock()
        let wasStopping = stopping
        stopping = true
        let context = liveContext
        control.broadcast()
        control.unlock()
        guard !wasStopping else { return }
        context?.cancel()
        // SCardCancel wakes only a wait already blocked: a stop landing between two waits (while the thread
        // re-lists, reconnects or handles the last change) would leave it watching for one more poll and
        // reporting the next card to a consumer that has stopped. Ending the stream here drops those reports.
        continuation.finish()
    }

    private var isStopping: Bool {
        control.lock()
        defer { control.unlock() }
        return stopping
    }

    func run() {
        while !isStopping {
            guard let context = currentContext() else {
                waitBeforeRetry()
                continue
            }
            do {
                if needsRelist { try relist(context) }
                try watchOnce(context)
            } catch let error as PCSCError where error.code == .cancelled {
                continue  // stop() woke us; the loop condition decides
            } catch let error as PCSCError where error.meansServiceLost {
                serviceLost(error)
            } catch let error as PCSCError where error.code == .unknownReader || error.code == .readerUnavailable {
                needsRelist = true
            } catch {
                // Anything else is unexpected: report it, drop the context, retry with backoff rather than spin.
                logger.error("reader monitor: \(error)")
                serviceLost(error as? PCSCError ?? PCSCError(.unknownError, operation: "reader monitor"))
            }
        }
        setLiveContext(nil)
        continuation.finish()
    }

    private func currentContext() -> PCSCContext? {
        control.lock()
        let existing = liveContext
        control.unlock()
        if let existing { return existing }
        do {
            let context = try PCSCContext()
            setLiveContext(context)
            needsRelist = true
            return context
        } catch let error as PCSCError {
            if serviceUp != false {
                serviceUp = false
                logger.warning("pcscd unreachable, retrying with backoff: \(error)")
                continuation.yield(.serviceUnavailable(error))
            }
            return nil
        } catch {
            return nil
        }
    }

    private func setLiveContext(_ context: PCSCContext?) {
        control.lock()
        liveContext = context
        control.unlock()
    }

    private func waitBeforeRetry() {
        let jitter = Double.random(in: 0.8...1.2)
        let seconds = Double(backoff.components.seconds) + Double(backoff.components.attoseconds) / 1e18
        control.lock()
        if !stopping { _ = control.wait(until: Date(timeIntervalSinceNow: seconds * jitter)) }
        control.unlock()
        backoff = min(backoff * 2, configuration.maximumBackoff)
    }

    private func serviceLost(_ error: PCSCError) {
        setLiveContext(nil)
        for name in readerOrder { forget(name) }
        readerOrder = []
        plugAndPlayState = SCard.stateUnaware
        needsRelist = true
        if serviceUp != false {
            serviceUp = false
            logger.warning("pcscd lost, re-establishing: \(error)")
            continuation.yield(.serviceUnavailable(error))
        }
        waitBeforeRetry()
    }

    private func relist(_ context: PCSCContext) throws {
        let names = try context.readerNames()
        if serviceUp != true {
            serviceUp = true
            backoff = configuration.initialBackoff
            logger.info("pcscd available, \(names.count) reader(s)")
            continuation.yield(.serviceAvailable)
        }
        for name in readerOrder where !names.contains(name) { forget(name) }
        for name in names where readers[name] == nil {
            readers[name] = Reader()
            continuation.yield(.readerAdded(name))
        }
        readerOrder = names
        needsRelist = false
    }

    private func forget(_ name: String) {
        if readers[name]?.isCardPresent == true { continuation.yield(.cardRemoved(reader: name)) }
        readers[name] = nil
        continuation.yield(.readerRemoved(name))
    }

    private func watchOnce(_ context: PCSCContext) throws {
        var slots = [ReaderStateSlot(readerName: SCard.plugAndPlayReaderName, currentState: plugAndPlayState)]
        slots += readerOrder.map { ReaderStateSlot(readerName: $0, currentState: readers[$0]?.currentState ?? 0) }
        let milliseconds = DWORD(configuration.pollTimeout.components.seconds * 1000)
            + DWORD(configuration.pollTimeout.components.attoseconds / 1_000_000_000_000_000)
        guard try context.waitForStatusChange(&slots, timeoutMilliseconds: milliseconds) else { return }

        let plugAndPlay = slots[0].eventState
        if plugAndPlay & SCard.stateChanged != 0 {
            needsRelist = true
            plugAndPlayState = plugAndPlay & ~SCard.stateChanged
        }
        for slot in slots.dropFirst() { update(slot) }
    }

    private func update(_ slot: ReaderStateSlot) {
        let name = slot.readerName
        guard var reader = readers[name] else { return }
        let state = slot.eventState
        if state & (SCard.stateUnknown | SCard.stateIgnore) != 0 {
            needsRelist = true  // the reader went away under us
            return
        }
        let isPresent = state & SCard.statePresent != 0
        if !reader.isKnown {
            if isPresent { continuation.yield(.cardInserted(reader: name, atr: slot.atr)) }
        } else {
            let events = CardStateChange.events(
                reader: name, wasPresent: reader.isCardPresent, previousState: reader.currentState, newState: state,
                atr: slot.atr)
            for event in events { continuation.yield(event) }
        }
        reader.isKnown = true
        reader.isCardPresent = isPresent
        reader.currentState = state & ~SCard.stateChanged
        readers[name] = reader
    }
}

/// What happened on a reader between two status answers, from its presence bit and pcscd's event counter.
enum CardStateChange {
    static func events(
        reader: String, wasPresent: Bool, previousState: DWORD, newState: DWORD, atr: [UInt8]
    ) -> [ReaderEvent] {
        let isPresent = newState & SCard.statePresent != 0
        // pcscd counts insertions and removals in the upper 16 bits: more than the visible change means taps
        // happened while we were not looking.
        let transitions = Int(((newState >> 16) &- (previousState >> 16)) & 0xFFFF)
        let visible = isPresent != wasPresent ? 1 : 0
        let unseenTaps = max(0, transitions - visible) / 2
        let missed = Array(repeating: ReaderEvent.quickTapMissed(reader: reader), count: unseenTaps)
        switch (wasPresent, isPresent) {
        case (false, true):
            return missed + [.cardInserted(reader: reader, atr: atr)]
        case (true, false):
            return [.cardRemoved(reader: reader)] + missed
        case (true, true) where unseenTaps > 0:
            // The card left and a card (maybe another) came back: the first pair of transitions is that swap.
            return [.cardRemoved(reader: reader)] + missed.dropFirst() + [.cardInserted(reader: reader, atr: atr)]
        case (false, false):
            return missed
        default:
            return []
        }
    }
}
