import Foundation
import Synchronization
import TestProcesses

#if canImport(Glibc)
import Glibc
#endif

/// Real processes for the fault tests: `parcours hq serve` and `parcours sync`, killed with SIGKILL as a crash would.
enum ProcessRig {
    static func parcoursBinary() throws -> URL {
        guard let binary = TestProcesses.parcoursBinary() else {
            throw HarnessError("the parcours executable is not built next to the tests: run 'swift build' (make test does)")
        }
        return binary
    }

    static func freePort() throws -> Int {
        guard let port = TestProcesses.freePort() else { throw HarnessError("no free port") }
        return port
    }

    static func connectable(_ port: Int) -> Bool { TestProcesses.connectable(port) }

    /// A child process; killed when it goes away so a failed test leaves nothing running.
    final class Child: Sendable {
        let process: Process

        init(_ arguments: [String], environment: [String: String]) throws {
            process = Process()
            process.executableURL = try ProcessRig.parcoursBinary()
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env["PARCOURS_LOG_LEVEL"] = "critical"
            for (key, value) in environment { env[key] = value }
            process.environment = env
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        func crash() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }
}

/// A TCP proxy that cuts each connection after a random number of client bytes: requests die mid-batch, as on a
/// flaky shop network. Runs on threads of its own (blocking sockets).
final class CuttingProxy: Sendable {
    let port: Int
    private let listener: Int32
    private let upstream: Int
    private let running = Atomic<Bool>(true)
    let cuts = Atomic<Int>(0)

    init(upstream: Int) throws {
        self.upstream = upstream
        port = try ProcessRig.freePort()
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let ok = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok, listen(listener, 64) == 0 else { throw HarnessError("the proxy could not listen") }
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while running.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(upstream).bigEndian)
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            guard connected else { close(client); close(server); continue }
            // Every connection is cut somewhere in the first 30 kB the store sends: inside a request, most often.
            let budget = Int.random(in: 300...30_000)
            let pair = SocketPair(client: client, server: server)
            Thread { [self] in pump(from: client, to: server, budget: budget); pair.finished() }.start()
            Thread { [self] in pump(from: server, to: client, budget: .max); pair.finished() }.start()
        }
    }

    private func pump(from source: Int32, to destination: Int32, budget: Int) {
        var remaining = budget
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(source, &buffer, min(buffer.count, max(remaining, 1)))
            if count <= 0 { break }
            if write(destination, buffer, count) != count { break }
            if remaining != .max {
                remaining -= count
                if remaining <= 0 { cuts.add(1, ordering: .relaxed); break }
            }
        }
        // Shut both ways so the other pump wakes up; the pair closes the descriptors once both are done.
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(destination, Int32(SHUT_RDWR))
    }
}

/// Closes a proxied connection's two sockets once, after both directions have stopped.
final class SocketPair: Sendable {
    let client: Int32
    let server: Int32
    private let done = Atomic<Int>(0)

    init(client: Int32, server: Int32) {
        self.client = client
        self.server = server
    }

    func finished() {
        if done.add(1, ordering: .acquiringAndReleasing).newValue == 2 {
            close(client)
            close(server)
        }
    }
}
