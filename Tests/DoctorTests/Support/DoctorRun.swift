import Foundation
import TestProcesses
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `parcours doctor` (or another verb) run as the real binary, the way a store's IT person runs it.
struct DoctorRun: Sendable {
    var status: Int32
    var output: String
    var errors: String

    var lines: [String] { output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    /// The check's head line and, when it has one, its `fix:` line.
    func check(_ name: String) -> (line: String, fix: String?)? {
        let all = lines
        guard let index = all.firstIndex(where: { Self.name(of: $0) == name }) else { return nil }
        let next = index + 1 < all.count ? all[index + 1] : ""
        return (all[index], next.hasPrefix("      fix: ") ? String(next.dropFirst("      fix: ".count)) : nil)
    }

    /// Every head line that is not `ok`.
    var problems: [String] { lines.filter { !$0.hasPrefix(" ") && !$0.isEmpty && !$0.hasPrefix("ok") } }

    static func name(of line: String) -> String? {
        guard !line.hasPrefix(" "), line.count > 6 else { return nil }
        let rest = line.dropFirst(6)
        return rest.range(of: "  ").map { String(rest[..<$0.lowerBound]) }
    }

    static func binary() throws -> URL {
        guard let binary = TestProcesses.parcoursBinary() else {
            throw FixtureError("the parcours executable is not built next to the tests: run 'swift build --build-tests' (make test does)")
        }
        return binary
    }

    /// Runs `parcours arguments…` in `directory` with exactly `environment` (plus PATH and HOME), killed after
    /// `limit` so that a hang fails the test instead of stalling the suite.
    static func parcours(_ arguments: [String], in directory: URL, environment: [String: String],
                         limit: TimeInterval = 120) throws -> DoctorRun {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                   "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp", "PARCOURS_LOG_LEVEL": "critical"]
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let outputFile = directory.appendingPathComponent("out-\(UUID().uuidString).txt")
        let errorFile = directory.appendingPathComponent("err-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        // Files, not pipes: a full pipe would block a chatty child before it exits.
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + limit, execute: watchdog)
        process.waitUntilExit()
        watchdog.cancel()
        return DoctorRun(status: process.terminationStatus,
                         output: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "",
                         errors: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
