import CardSimulator
import Foundation
import Glibc
import Logging
import PCSC
import ReaderService
import Testing

/// The virtual reader rig as the tests drive it: the project's `hardware/rig/pcscd-rig` script.
enum Rig {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// pcsc names of the rig's readers by index (see hardware/rig/readers.conf.d).
    static func readerName(_ index: Int) -> String {
        let entry = ["A", "B", "C"][index / 2]
        return "Parcours Virtual \(entry) 00 0\(index % 2)"
    }

    static func reader(_ index: Int) throws -> VirtualReader { try VirtualReader.index(index) }

    /// Runs `pcscd-rig` with `arguments`; fails the test with the script's output when it fails.
    ///
    /// posix_spawn + waitpid rather than Foundation's Process: the script leaves pcscd running in the
    /// background, and Process.waitUntilExit was seen to hang forever on Linux in that case.
    @discardableResult
    static func script(_ arguments: String...) throws -> String {
        let scriptPath = repositoryRoot.appendingPathComponent("hardware/rig/pcscd-rig").path
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("pcscd-rig-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = ([scriptPath] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, scriptPath, &actions, nil, argv, environ)
        guard spawned == 0 else { throw RigError(message: "could not run \(scriptPath): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitedCleanly = status & 0x7F == 0 && (status >> 8) & 0xFF == 0
        guard exitedCleanly else {
            throw RigError(message: "pcscd-rig \(arguments.joined(separator: " ")) failed: \(output)")
        }
        return output
    }

    /// How long a tap may take in the rig tests. The product's 3 s (``TapIdentifier/defaultTimeout``) guards
    /// against a card that stalls; here the cards are the simulator's, and what stalls is this test process, which
    /// starts hundreds of tests at once on 2 cores: a CI run once timed a signed card out after 2 APDUs and 3.3 s.
    static let patientTapTimeout = Duration.seconds(20)

    /// A reader service that logs only warnings, so test output stays readable.
    static func makeService() -> ReaderService {
        var logger = Logger(label: "parcours.test")
        logger.logLevel = .warning
        return ReaderService(identifier: TapIdentifier(timeout: patientTapTimeout), logger: logger)
    }

    /// Starts the 4-reader rig unless it already runs.
    static func ensureStarted() throws {
        try script("start")
    }

    struct RigError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

/// Records a reader service's events so a test can wait for the one it expects.
actor EventRecorder {
    private(set) var events: [ReaderService.Event] = []
    private var waiters: [(id: UUID, predicate: @Sendable (ReaderService.Event) -> Bool, continuation: CheckedContinuation<ReaderService.Event?, Never>)] = []

    nonisolated func follow(_ service: ReaderService) -> Task<Void, Never> {
        Task { for await event in service.events { await self.record(event) } }
    }

    private func record(_ event: ReaderService.Event) {
        events.append(event)
        var remaining: [(id: UUID, predicate: @Sendable (ReaderService.Event) -> Bool, continuation: CheckedContinuation<ReaderService.Event?, Never>)] = []
        for waiter in waiters {
            if waiter.predicate(event) { waiter.continuation.resume(returning: event) } else { remaining.append(waiter) }
        }
        waiters = remaining
    }

    /// The first event from `index` on that matches, waiting up to `timeout` for it.
    func next(
        after index: Int = 0, within timeout: Duration = .seconds(10),
        where predicate: @escaping @Sendable (ReaderService.Event) -> Bool
    ) async -> ReaderService.Event? {
        if let found = events.dropFirst(index).first(where: predicate) { return found }
        let id = UUID()
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            waiters.append((id, predicate, continuation))
        }
    }

    private func expire(_ id: UUID) {
        guard let position = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: position).continuation.resume(returning: nil)
    }

    var count: Int { events.count }

    func taps(on reader: String) -> [TapResult] {
        events.compactMap { if case .tap(let tap) = $0, tap.reader == reader { tap } else { nil } }
    }
}

extension ReaderService.Event {
    var tap: TapResult? { if case .tap(let tap) = self { tap } else { nil } }
    var readerEvent: ReaderEvent? { if case .reader(let event) = self { event } else { nil } }
}
