import Foundation
import Glibc
import Synchronization

/// The reader side of the vpcd protocol, for tests without pcscd: a TCP listener on 127.0.0.1 that
/// accepts the simulated card and exchanges frames with it the way vpcd does (length and body in two
/// separate writes, no TCP_NODELAY on its side).
///
/// Its blocking calls run on a dedicated thread each, never on the cooperative pool, which the card
/// session under test needs in order to resume its awaiting callers.
final class FakeVPCD: Sendable {
    let port: UInt16
    private let listener: Int32

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 4) == 0 else {
            close(descriptor)
            throw Failure(description: "bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        listener = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit {
        close(listener)
    }

    /// A port on which nothing listens (bound, then released).
    static func closedPort() throws -> UInt16 {
        let probe = try FakeVPCD()
        return probe.port
    }

    /// Waits for the card to connect: up to 30 s, a bound for a hung test, not a measurement (the whole suite starts
    /// at once, and on 2 loaded cores a connect was seen to take over 5 s).
    func accept() async throws -> Peer {
        let listener = self.listener
        return try await onThread {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 30_000) == 1 else { throw Failure(description: "no card connected within 30 s") }
            let descriptor = Glibc.accept(listener, nil, nil)
            guard descriptor >= 0 else { throw Failure(description: "accept: errno \(errno)") }
            return Peer(descriptor: descriptor)
        }
    }

    /// The reader's end of one card connection.
    final class Peer: Sendable {
        private let descriptor: Int32

        init(descriptor: Int32) {
            self.descriptor = descriptor
        }

        deinit {
            close(descriptor)
        }

        /// Sends a frame as vpcd does: the length, then the body, in two writes.
        func send(_ body: [UInt8]) async throws {
            let descriptor = self.descriptor
            try await onThread {
                try Self.writeAll(descriptor, [UInt8(body.count >> 8), UInt8(body.count & 0xFF)])
                try Self.writeAll(descriptor, body)
            }
        }

        /// Sends raw bytes as they are (for broken frames).
        func sendRaw(_ bytes: [UInt8]) async throws {
            let descriptor = self.descriptor
            try await onThread { try Self.writeAll(descriptor, bytes) }
        }

        /// The next frame's body, or `nil` when the card closed the connection (it left the field).
        func receive(timeout: Int32 = 5_000) async throws -> [UInt8]? {
            let descriptor = self.descriptor
            return try await onThread {
                guard let header = try Self.readExactly(descriptor, 2, timeout: timeout) else { return nil }
                let length = Int(header[0]) << 8 | Int(header[1])
                return try Self.readExactly(descriptor, length, timeout: timeout)
            }
        }

        /// Sends a command and returns the answer.
        func exchange(_ command: [UInt8]) async throws -> [UInt8]? {
            try await send(command)
            return try await receive()
        }

        /// The reader goes away.
        func closeConnection() {
            shutdown(descriptor, Int32(SHUT_RDWR))
        }

        private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws {
            var sent = 0
            while sent < bytes.count {
                let count = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                guard count > 0 else { throw Failure(description: "send: errno \(errno)") }
                sent += count
            }
        }

        private static func readExactly(_ descriptor: Int32, _ count: Int, timeout: Int32) throws -> [UInt8]? {
            var buffer = [UInt8](repeating: 0, count: count)
            var received = 0
            while received < count {
                var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, timeout) == 1 else { throw Failure(description: "nothing from the card within \(timeout) ms") }
                let got = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + received, count - received, 0) }
                if got == 0 || (got < 0 && errno == ECONNRESET) { return nil }
                guard got > 0 else { throw Failure(description: "recv: errno \(errno)") }
                received += got
            }
            return buffer
        }
    }
}

/// Runs blocking work on a new thread and awaits its result.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
