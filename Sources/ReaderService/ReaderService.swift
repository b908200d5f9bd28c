import Foundation
import Logging
import PCSC
import Synchronization

/// The reader service: watches every reader and turns each tap into one `TapResult`.
///
/// Each reader gets its own `CardAccess` (own thread, own pcsc-lite context), so taps on a kiosk and a till
/// are read at the same time and a slow card on one never delays the other.
public final class ReaderService: Sendable {
    public enum Event: Sendable {
        case reader(ReaderEvent)
        case tap(TapResult)
    }

    /// Reader events and tap results, in the order they happen per reader. One consumer.
    public let events: AsyncStream<Event>
    private let monitor: ReaderMonitor
    private let consumer: Task<Void, Never>
    private let stopped = StopFlag()
    let writeClaims = CardWriteClaims()
    let readerAccess = ReaderAccessPool()

    /// - Parameter readers: read taps only on these readers (a device owns its reader); nil reads every reader.
    ///   Reader events are published for all readers either way.
    public init(
        identifier: TapIdentifier = TapIdentifier(),
        readers readerFilter: Set<String>? = nil,
        monitorConfiguration: ReaderMonitor.Configuration = .init(),
        logger: Logger = Logger(label: "parcours.taps")
    ) {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        events = stream
        let monitor = ReaderMonitor(configuration: monitorConfiguration, logger: logger)
        self.monitor = monitor
        let readers = readerAccess
        let claims = writeClaims
        let stopped = self.stopped
        consumer = Task {
            await withDiscardingTaskGroup { taps in
                for await event in monitor.events {
                    continuation.yield(.reader(event))
                    // A card the monitor saw just before the stop is left alone: the service may be giving the
                    // reader to another (a restart, the next test), and two sessions interleaving APDUs on one
                    // card read each other's files.
                    guard !stopped.isSet else { continue }
                    switch event {
                    case .cardInserted(let reader, _):
                        claims.cardArrived(on: reader)
                    case .cardRemoved(let reader):
                        claims.cardLeft(reader)
                    default:
                        break
                    }
                    switch event {
                    case .cardInserted(let reader, _) where claims.isClaimed(reader):
                        // A till is issuing a card: this one is written, not identified.
                        if let claim = claims.take(on: reader) {
                            let access = readers.access(for: reader)
                            taps.addTask { await Self.run(claim, on: reader, access) }
                        }
                    case .cardInserted(let reader, _) where readerFilter?.contains(reader) ?? true:
                        let seenAt = ContinuousClock.now
                        let wallClock = Date()
                        let access = readers.access(for: reader)
                        taps.addTask {
                            let result = await Self.read(reader, access, identifier, seenAt, wallClock)
                            Self.log(result, logger)
                            continuation.yield(.tap(result))
                        }
                    case .quickTapMissed(let reader) where readerFilter?.contains(reader) ?? true:
                        let result = TapResult(
                            reader: reader, at: Date(), technology: "unknown card", atr: "",
                            identifiers: TapIdentifiers(), failure: TapFailure.cardLeft.description,
                            apduCount: 0, milliseconds: 0)
                        Self.log(result, logger)
                        continuation.yield(.tap(result))
                    case .readerRemoved(let reader):
                        readers.forget(reader)
                        claims.cardLeft(reader)
                    case .serviceUnavailable:
                        readers.forgetAll()
                    default:
                        break
                    }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in monitor.stop() }
    }

    deinit { monitor.stop() }

    /// Stops watching the readers and starts no new read; reads under way finish.
    public func stop() {
        stopped.set()
        monitor.stop()
    }

    private static func read(
        _ reader: String, _ access: CardAccess, _ identifier: TapIdentifier,
        _ seenAt: ContinuousClock.Instant, _ wallClock: Date
    ) async -> TapResult {
        do {
            let channel = try await access.connect(reader: reader)
            let result = await identifier.identify(channel: channel, seenAt: seenAt, at: wallClock)
            await channel.disconnect()
            return result
        } catch {
            let reason = (error as? PCSCError)?.meansCardGone == true ? TapFailure.cardLeft.description : "\(error)"
            return TapResult(
                reader: reader, at: wallClock, technology: "unknown card", atr: "",
                identifiers: TapIdentifiers(), failure: reason, apduCount: 0,
                milliseconds: seenAt.duration(to: .now).milliseconds)
        }
    }

    /// One line per tap, with no identifier values: logs must never carry card numbers or personal data.
    private static func log(_ result: TapResult, _ logger: Logger) {
        let metadata: Logger.Metadata = [
            "reader": "\(result.reader)", "technology": "\(result.technology)",
            "apdus": "\(result.apduCount)", "ms": "\(String(format: "%.1f", result.milliseconds))",
        ]
        if let failure = result.failure {
            logger.warning("tap failed: \(failure)", metadata: metadata)
        } else {
            logger.info("tap read", metadata: metadata)
        }
    }
}

/// One `CardAccess` per reader, created on first use.
final class ReaderAccessPool: Sendable {
    private let pool = Mutex<[String: CardAccess]>([:])

    func access(for reader: String) -> CardAccess {
        pool.withLock { pool in
            if let existing = pool[reader] { return existing }
            let created = CardAccess(name: "reader-\(pool.count)")
            pool[reader] = created
            return created
        }
    }

    func forget(_ reader: String) { _ = pool.withLock { $0.removeValue(forKey: reader) } }
    func forgetAll() { pool.withLock { $0.removeAll() } }
}

/// Set once by `stop()`, read by the event consumer before it starts a read.
private final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
