import CardProtocols
import Foundation
import PCSC
import Synchronization

/// A tap's conversation with the card: counts APDUs and enforces the tap's deadline.
final class CardSession: @unchecked Sendable {
    // @unchecked: a session belongs to one tap's task; `apduCount` is only touched from it.
    let channel: CardChannel
    let deadline: ContinuousClock.Instant
    private(set) var apduCount = 0

    init(channel: CardChannel, deadline: ContinuousClock.Instant) {
        self.channel = channel
        self.deadline = deadline
    }

    /// Sends a command, following `61xx`/`6Cxx`, and fails with `TapFailure.timedOut` past the deadline.
    func send(_ command: CommandAPDU, maximumResponseBytes: Int = 4096) async throws -> ResponseAPDU {
        try await APDUExchange.run(command, maximumResponseBytes: maximumResponseBytes, maximumGetResponses: 16) {
            try await self.transmitOnce($0)
        }
    }

    /// Sends a command whose answer holds secrets (a card number): no response objects are made, the data is
    /// returned in the one buffer the caller wipes. Follows `6Cxx` once; `61xx` is not expected from
    /// contactless cards and is refused.
    func sendSensitive(_ command: CommandAPDU) async throws -> [UInt8] {
        var raw = try await transmitRaw(command)
        if raw.count == 2, raw[0] == 0x6C {
            raw.wipe()
            raw = try await transmitRaw(try command.withExpectedLength(raw[1] == 0 ? 256 : Int(raw[1])))
        }
        guard raw.count >= 2, raw[raw.count - 2] == 0x90, raw[raw.count - 1] == 0x00 else {
            let status = raw.suffix(2).hexString
            raw.wipe()
            throw TapFailure.rejected("\(command.ins == 0xB2 ? "READ RECORD" : "the card") answered \(status.isEmpty ? "nothing" : status)")
        }
        raw.removeLast(2)
        return raw
    }

    private func transmitRaw(_ command: CommandAPDU) async throws -> [UInt8] {
        guard ContinuousClock.now < deadline else { throw TapFailure.timedOut }
        apduCount += 1
        let bytes = command.serialized()
        let raw = try await withDeadline(deadline) { [channel] in try await channel.transmit(bytes) }
        guard !raw.isEmpty else { throw TapFailure.cardLeft }
        return raw
    }

    private func transmitOnce(_ command: CommandAPDU) async throws -> ResponseAPDU {
        guard ContinuousClock.now < deadline else { throw TapFailure.timedOut }
        apduCount += 1
        let bytes = command.serialized()
        let raw = try await withDeadline(deadline) { [channel] in try await channel.transmit(bytes) }
        // vpcd (and some readers) report success with no bytes at all when the card vanished mid-command.
        guard !raw.isEmpty else { throw TapFailure.cardLeft }
        return try ResponseAPDU(parsing: raw)
    }
}

/// Why a tap gave no identifier, in words a shop can act on.
enum TapFailure: Error, CustomStringConvertible {
    case timedOut
    case cardLeft
    case unsupportedCard(String)
    case rejected(String)

    var description: String {
        switch self {
        case .timedOut: "the card did not finish answering in time"
        case .cardLeft: "the card left the reader before it could be read; tap again and hold it still"
        case .unsupportedCard(let what): "unsupported card: \(what)"
        case .rejected(let why): why
        }
    }
}

/// Runs `body` but gives up at `deadline`.
///
/// Not a task group: a group waits for all its children, and the body's blocking card call may only finish
/// when the card answers. The caller gets `timedOut` at the deadline; the call finishes later on its thread.
func withDeadline<T: Sendable>(
    _ deadline: ContinuousClock.Instant, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withCheckedThrowingContinuation { continuation in
        race.start(continuation)
        Task {
            do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
        }
        race.setTimer(Task {
            try await Task.sleep(until: deadline, clock: .continuous)
            race.finish(.failure(TapFailure.timedOut))
        })
    }
}

/// Resumes a continuation once, with whichever of the work and the timer ends first.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var timer: Task<Void, any Error>?
        var finished = false
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    func setTimer(_ timer: Task<Void, any Error>) {
        let alreadyDone = state.withLock { state in
            state.timer = timer
            return state.finished
        }
        if alreadyDone { timer.cancel() }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, timer) = state.withLock { state -> (CheckedContinuation<T, any Error>?, Task<Void, any Error>?) in
            guard !state.finished else { return (nil, nil) }
            state.finished = true
            defer { state.continuation = nil }
            return (state.continuation, state.timer)
        }
        timer?.cancel()
        continuation?.resume(with: result)
    }
}
