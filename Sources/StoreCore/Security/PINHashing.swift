import KeyDerivation

/// Where the deliberately slow PIN hash (PBKDF2) runs: ``SlowHashing``'s serial queue.
///
/// On Swift's cooperative pool the hash would hold one of its few threads (two on a till PC) for its whole
/// duration and stall every other task of the process: taps, HTTP requests, timers. Serial, the queue also bounds
/// how fast PINs can be tried through one process.
enum PINHashing {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await SlowHashing.run(body)
    }
}
