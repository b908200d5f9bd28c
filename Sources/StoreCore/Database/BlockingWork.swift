import Dispatch

/// Runs file and SQLite work that blocks (copies, renames, integrity checks of a whole file) on a Dispatch thread,
/// never on the cooperative pool, whose few threads serve every task of the process.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
