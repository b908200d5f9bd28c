import Logging
import Foundation
import ReaderService
import StoreCore

/// The latest tap on each device, and the live feed of them.
///
/// The serve loop posts every recorded tap here, keyed by the device that owns the reader; a device reads only
/// its own entry, so a kiosk never sees the till's customer. An entry expires after the idle timeout, which is
/// also when the kiosk resets its screen.
public actor TapBoard {
    private var current: [String: CurrentTap] = [:]
    private var subscribers: [String: [UUID: AsyncStream<CurrentTap>.Continuation]] = [:]
    private let idleTimeout: TimeInterval
    private let now: @Sendable () -> Date

    /// - Parameter now: the clock, injectable so that expiry is tested without waiting.
    public init(idleTimeout: TimeInterval, now: @escaping @Sendable () -> Date = { Date() }) {
        self.idleTimeout = idleTimeout
        self.now = now
    }

    /// Posts what became of a tap. Only recorded taps reach a screen; unreadable ones have no device to show on
    /// and stay in the log and the metrics.
    @discardableResult
    public func post(_ recording: TapRecorder.Recording) -> CurrentTap? {
        guard case .recorded(let tap, let deviceId, let outcome) = recording else { return nil }
        let entry = CurrentTap(tapRef: Self.makeReference(), deviceId: deviceId, at: tap.at, greeting: outcome.greeting.map(TapGreeting.init),
                               identifiers: StoreCore.TapIdentifiers(provedBy: tap), touchedAt: now())
        current[deviceId] = entry
        for continuation in (subscribers[deviceId] ?? [:]).values {
            continuation.yield(entry)
        }
        return entry
    }

    /// The device's current tap, if one is live.
    public func current(deviceId: String) -> CurrentTap? {
        guard let entry = current[deviceId] else { return nil }
        guard now().timeIntervalSince(entry.touchedAt) < idleTimeout else {
            current[deviceId] = nil
            return nil
        }
        return entry
    }

    /// The current tap if `tapRef` names it (a stale reference from a page that missed a newer tap is refused).
    public func current(deviceId: String, tapRef: String) -> CurrentTap? {
        guard let entry = current(deviceId: deviceId), entry.tapRef == tapRef else { return nil }
        return entry
    }

    /// After a sign-up the tap is a known customer's: the screen greets them and a second sign-up is refused.
    func signedUp(deviceId: String, tapRef: String, greeting: TapGreeting) {
        guard var entry = current(deviceId: deviceId), entry.tapRef == tapRef else { return }
        entry.greeting = greeting
        entry.touchedAt = now()
        current[deviceId] = entry
    }

    /// Activity on the screen (feedback) keeps the tap alive.
    func touch(deviceId: String) {
        current[deviceId]?.touchedAt = now()
    }

    /// Taps on `deviceId` from now on, starting with the current one when there is one: a device that
    /// reconnects gets the current state first.
    public func subscribe(deviceId: String) -> AsyncStream<CurrentTap> {
        let (stream, continuation) = AsyncStream.makeStream(of: CurrentTap.self, bufferingPolicy: .bufferingNewest(8))
        let id = UUID()
        subscribers[deviceId, default: [:]][id] = continuation
        if let entry = current(deviceId: deviceId) { continuation.yield(entry) }
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(deviceId: deviceId, id: id) }
        }
        return stream
    }

    /// How many live feeds a device has open (for tests and health).
    public func subscriberCount(deviceId: String) -> Int { subscribers[deviceId]?.count ?? 0 }

    private func unsubscribe(deviceId: String, id: UUID) {
        subscribers[deviceId]?[id] = nil
        if subscribers[deviceId]?.isEmpty == true { subscribers[deviceId] = nil }
    }

    static func makeReference() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 16).leftPadded(to: 16) }.joined()
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
