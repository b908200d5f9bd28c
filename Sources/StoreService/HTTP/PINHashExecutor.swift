import Logging
import Dispatch

/// A task executor on one serial dispatch queue, for the deliberately slow PBKDF2 PIN hash.
///
/// StoreCore's `verifyStaffPIN` and `addStaff` hash inside their async bodies; run on the cooperative pool they
/// would hold one of its few threads (two on a till PC) for the whole hash. Under this executor preference the
/// hash runs here instead. Being serial, it also bounds how fast PINs can be tried through this process.
final class PINHashExecutor: TaskExecutor {
    static let shared = PINHashExecutor()

    private let queue = DispatchQueue(label: "parcours.pin-hash", qos: .userInitiated)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Runs `body` with this executor preferred.
    static func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(shared) { try await body() }
    }
}
