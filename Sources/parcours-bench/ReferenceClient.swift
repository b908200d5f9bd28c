import Foundation
import Glibc

/// The C reference client (hardware/bench/reference-client.c), run as a child process.
final class ReferenceClient: @unchecked Sendable {
    // @unchecked: `lines` is guarded by `condition`; the reader thread only appends.
    private let process = Process()
    private let condition = NSCondition()
    private var lines: [String] = []
    private var finished = false

    static var path: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/bench/reference-client").path
    }

    init(_ arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.path) else {
            throw BenchError("no reference client at \(Self.path): run hardware/bench/build-reference-client (make bench does)")
        }
        process.executableURL = URL(fileURLWithPath: Self.path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let handle = pipe.fileHandleForReading
        let thread = Thread { [self] in
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    condition.lock(); lines.append(line); condition.broadcast(); condition.unlock()
                }
            }
            condition.lock(); finished = true; condition.broadcast(); condition.unlock()
        }
        thread.start()
    }

    /// The next line (blocking up to `timeout` seconds), or nil at the end of output.
    func nextLine(timeout: Double = 10) -> String? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while lines.isEmpty && !finished {
            if !condition.wait(until: deadline) { return nil }
        }
        return lines.isEmpty ? nil : lines.removeFirst()
    }

    func stop() {
        if process.isRunning { process.terminate() }
    }
}

/// CLOCK_BOOTTIME now, in nanoseconds: the clock the reference client stamps its lines with.
func bootTimeNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_BOOTTIME, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
