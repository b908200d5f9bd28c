import Foundation
import Synchronization

/// The answer of a call given a deadline: its value, its error, or nothing in time.
enum DeadlineOutcome<T: Sendable>: Sendable {
    case value(T)
    case error(any Error)
    case timedOut(Duration)
}

/// Runs `body`, but answers `.timedOut` once `limit` has passed, so that a hung pcscd, a stalled disk or a head
/// office that never answers cannot hang the doctor: it says which check did not finish and goes on.
///
/// Not a task group: a group waits for all its children, and a blocking PC/SC call stuck in pcscd never returns.
/// The abandoned call finishes (or not) on its own thread; the process exits once the report is printed.
func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async -> DeadlineOutcome<T> {
    let once = ResumeOnce<T>()
    return await withCheckedContinuation { continuation in
        once.start(continuation)
        Task {
            do { once.finish(.value(try await body())) } catch { once.finish(.error(error)) }
        }
        Task {
            try? await Task.sleep(for: limit)
            once.finish(.timedOut(limit))
        }
    }
}

/// Resumes a continuation with whichever of the work and the timer ends first, exactly once.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<DeadlineOutcome<T>, Never>?, finished: DeadlineOutcome<T>?)>((nil, nil))

    func start(_ continuation: CheckedContinuation<DeadlineOutcome<T>, Never>) {
        let early: DeadlineOutcome<T>? = state.withLock { state in
            if let finished = state.finished { return finished }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func finish(_ outcome: DeadlineOutcome<T>) {
        let waiting: CheckedContinuation<DeadlineOutcome<T>, Never>? = state.withLock { state in
            guard state.finished == nil else { return nil }
            state.finished = outcome
            defer { state.continuation = nil }
            return state.continuation
        }
        waiting?.resume(returning: outcome)
    }
}

extension Duration {
    /// "5 s", "1.5 s": for the lines that say how long the doctor waited.
    var doctorText: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }
}
