import Foundation
import Synchronization

/// A virtual card inserted into a virtual reader: a live vpcd session on its own thread.
///
/// The session answers vpcd until the ``RemovalPolicy`` says the card leaves, ``remove()`` is called,
/// or vpcd closes the connection; then it closes the socket (the card leaves the field) and the
/// ``TapReport`` becomes available from ``waitUntilRemoved()``.
///
/// Blocking socket I/O never runs on Swift's cooperative pool: each card in a field has a dedicated
/// `Thread`, and the async API waits on continuations that this thread resumes.
public final class CardInField: Sendable {
    public let card: any VirtualCard
    public let reader: VirtualReader
    public let removal: RemovalPolicy
    /// When the connection was established: the card is in the field from here on.
    public let connectedAt: ContinuousClock.Instant

    let socket: VPCDSocket
    let observer: (@Sendable (FieldEvent) -> Void)?

    struct Log: ~Copyable {
        var exchanges: [APDUExchange] = []
        var controlEvents: [ControlEvent] = []
        var removalRequested = false
        var report: TapReport?
        var waiters: [CheckedContinuation<TapReport, Never>] = []
    }

    let log = Mutex(Log())

    init(
        card: any VirtualCard, reader: VirtualReader, removal: RemovalPolicy, socket: VPCDSocket,
        connectedAt: ContinuousClock.Instant, observer: (@Sendable (FieldEvent) -> Void)?
    ) {
        self.card = card
        self.reader = reader
        self.removal = removal
        self.socket = socket
        self.connectedAt = connectedAt
        self.observer = observer
    }

    /// Inserts `card` into `reader`'s field: connects to vpcd and starts answering it.
    /// - Parameter observer: called on the session's thread for each control message, exchange and
    ///   the removal; it must not block.
    /// - Throws: ``CardSimulatorError/Code-swift.struct/noReaderListening`` when nothing listens on
    ///   the reader's port (the rig is not started), or another socket failure.
    public static func insert(
        _ card: any VirtualCard, into reader: VirtualReader, removal: RemovalPolicy = .onRequest,
        observer: (@Sendable (FieldEvent) -> Void)? = nil
    ) async throws(CardSimulatorError) -> CardInField {
        let outcome: Result<CardInField, CardSimulatorError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                let socket: VPCDSocket
                do throws(CardSimulatorError) {
                    socket = try VPCDSocket.connect(port: reader.port)
                } catch {
                    continuation.resume(returning: .failure(error))
                    return
                }
                let field = CardInField(
                    card: card, reader: reader, removal: removal, socket: socket, connectedAt: .now, observer: observer)
                continuation.resume(returning: .success(field))
                field.runSession()
            }
            thread.name = "cardsim vpcd :\(reader.port)"
            thread.start()
        }
        return try outcome.get()
    }

    /// Pulls the card out now and returns the report once the session has closed the connection.
    @discardableResult
    public func remove() async -> TapReport {
        requestRemoval()
        return await waitUntilRemoved()
    }

    /// Asks the session to close the connection, without waiting. Safe from any thread, any number of times.
    public func requestRemoval() {
        log.withLock { $0.removalRequested = true }
        socket.shutdown()
    }

    /// Waits until the card has left the field, by its policy, ``remove()`` or the reader closing.
    public func waitUntilRemoved() async -> TapReport {
        await withCheckedContinuation { continuation in
            let finished: TapReport? = log.withLock { log in
                if let report = log.report { return report }
                log.waiters.append(continuation)
                return nil
            }
            if let finished { continuation.resume(returning: finished) }
        }
    }

    /// `true` until the session has closed the connection.
    public var isInField: Bool { log.withLock { $0.report == nil } }

    /// The command APDUs so far, with their answers.
    public var exchanges: [APDUExchange] { log.withLock { $0.exchanges } }

    /// The vpcd control messages so far.
    public var controlEvents: [ControlEvent] { log.withLock { $0.controlEvents } }
}
