// Linux only, like vpcd itself: Glibc sockets, MSG_NOSIGNAL and TCP_QUICKACK.
import Glibc
import Synchronization

/// The card's TCP connection to one vpcd reader: connected means the card is in the field.
///
/// Every call blocks, so a socket is used only from its session's dedicated thread, with one
/// exception: ``shutdown()`` may come from any thread to pull the card out, and wakes a blocked read.
/// The descriptor is closed only by ``close()`` under the same lock, so a late ``shutdown()`` can never
/// reach a descriptor number the system has since given to someone else.
final class VPCDSocket: Sendable {
    private let descriptor: Int32
    private let isOpen = Mutex(true)

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close()
    }

    /// Connects to 127.0.0.1:`port`, with the options vpcd needs for sub-millisecond APDUs.
    static func connect(port: UInt16) throws(CardSimulatorError) -> VPCDSocket {
        let descriptor = socket(AF_INET, socketStreamType, 0)
        guard descriptor >= 0 else { throw failure("socket()") }
        let socket = VPCDSocket(descriptor: descriptor)

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                Glibc.connect(descriptor, generic, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 {
            let error = errno
            if error == EINTR {
                // The connection goes on in the background: wait for it, then read its outcome.
                try socket.awaitConnection(port: port)
            } else {
                throw connectFailure(port: port, errno: error)
            }
        }
        // vpcd writes a frame's length and body separately; without these options each APDU
        // waits ~40 ms for a delayed ACK.
        try socket.setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1, "TCP_NODELAY")
        try socket.armQuickAck()
        return socket
    }

    /// Waits until a message can be read, the peer closes, or `deadline` passes (`false`).
    func waitReadable(until deadline: ContinuousClock.Instant?) throws(CardSimulatorError) -> Bool {
        while true {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let timeout = Self.milliseconds(until: deadline)
            let ready = poll(&entry, 1, timeout)
            if ready > 0 { return true }
            if ready == 0 {
                if let deadline, ContinuousClock.now >= deadline { return false }
                continue
            }
            if errno == EINTR { continue }
            throw Self.failure("poll()")
        }
    }

    /// Reads one frame's body. `nil` when the peer closed the connection between frames.
    /// - Parameter timeout: how long the rest of a frame may take once its first byte came; vpcd
    ///   sends both parts at once, so a stall means a broken peer, not a slow one.
    func readFrame(timeout: Duration) throws(CardSimulatorError) -> [UInt8]? {
        let deadline = ContinuousClock.now + timeout
        guard let header = try readExactly(2, deadline: deadline, atFrameStart: true) else { return nil }
        let length = Int(header[0]) << 8 | Int(header[1])
        guard length > 0 else { return [] }
        guard let body = try readExactly(length, deadline: deadline, atFrameStart: false) else { return nil }
        return body
    }

    /// Writes one frame (length and body in a single buffer, so a single segment on loopback).
    func writeFrame(_ body: [UInt8]) throws(CardSimulatorError) {
        let frame = try VPCDMessage.frame(body)
        var sent = 0
        while sent < frame.count {
            let count = frame.withUnsafeBytes { buffer in
                send(descriptor, buffer.baseAddress! + sent, frame.count - sent, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                sent += count
            } else if count < 0 && (errno == EINTR || errno == EAGAIN) {
                continue
            } else {
                throw Self.failure("send()")
            }
        }
    }

    /// Pulls the card out: wakes any blocked read and sends FIN to vpcd. Safe from any thread, any time.
    func shutdown() {
        isOpen.withLock { open in
            if open { _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    func close() {
        isOpen.withLock { open in
            if open {
                _ = Glibc.close(descriptor)
                open = false
            }
        }
    }

    // MARK: Internals

    private func readExactly(
        _ count: Int, deadline: ContinuousClock.Instant, atFrameStart: Bool
    ) throws(CardSimulatorError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            // Linux clears TCP_QUICKACK after use: re-arm it before every read.
            try armQuickAck()
            guard try waitReadable(until: deadline) else {
                throw CardSimulatorError(
                    .vpcdProtocolViolation,
                    "vpcd sent \(received) of \(count) announced bytes and then nothing for the rest of the frame")
            }
            let got = buffer.withUnsafeMutableBytes { raw in
                recv(descriptor, raw.baseAddress! + received, count - received, 0)
            }
            if got > 0 {
                received += got
            } else if got == 0 {
                if atFrameStart && received == 0 { return nil }
                throw CardSimulatorError(
                    .vpcdProtocolViolation, "vpcd closed the connection in the middle of a frame (\(received) of \(count) bytes)")
            } else if errno == EINTR || errno == EAGAIN {
                continue
            } else if errno == ECONNRESET && atFrameStart && received == 0 {
                return nil
            } else {
                throw Self.failure("recv()")
            }
        }
        return buffer
    }

    private func armQuickAck() throws(CardSimulatorError) {
        try setOption(level: Int32(IPPROTO_TCP), name: Int32(TCP_QUICKACK), value: 1, "TCP_QUICKACK")
    }

    private func setOption(level: Int32, name: Int32, value: Int32, _ label: String) throws(CardSimulatorError) {
        var value = value
        guard setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw Self.failure("setsockopt(\(label))")
        }
    }

    private func awaitConnection(port: UInt16) throws(CardSimulatorError) {
        while true {
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&entry, 1, 5_000)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { throw Self.failure("poll() while connecting") }
            break
        }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else {
            throw Self.failure("getsockopt(SO_ERROR)")
        }
        if error != 0 { throw Self.connectFailure(port: port, errno: error) }
    }

    private static func connectFailure(port: UInt16, errno error: Int32) -> CardSimulatorError {
        if error == ECONNREFUSED {
            return CardSimulatorError(
                .noReaderListening,
                "no virtual reader listening on 127.0.0.1:\(port) — start the rig: hardware/rig/pcscd-rig start")
        }
        return CardSimulatorError(.socketFailure, "connect to 127.0.0.1:\(port) failed: \(describe(error))")
    }

    private static func failure(_ call: String) -> CardSimulatorError {
        CardSimulatorError(.socketFailure, "\(call) failed: \(describe(errno))")
    }

    private static func describe(_ error: Int32) -> String {
        guard let text = strerror(error) else { return "errno \(error)" }
        return "\(String(cString: text)) (errno \(error))"
    }

    /// A poll() timeout: -1 waits for ever; otherwise the remaining time, rounded up, capped so a
    /// far deadline cannot overflow Int32.
    private static func milliseconds(until deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return -1 }
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1_000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: min(milliseconds, 60_000))
    }

    private static let socketStreamType = Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue)
}
