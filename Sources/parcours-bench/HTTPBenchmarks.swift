import CardSimulator
import Foundation
import Glibc
import Hummingbird
import HummingbirdWSClient
import Logging
import ReaderService
import StoreCore
import StoreService

/// The store service over HTTP, beside a bare Hummingbird endpoint in the same run (wrk, Debian's package), and
/// tap → kiosk WebSocket message latency on the rig, beside the C reference client's tap-to-UID.
enum HTTPBenchmarks {
    static let storePort = 18_471
    static let barePort = 18_472
    static let seconds = 5

    static func run(webSocketTaps: Int) async throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-http-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = TapBenchmarks.quietLogger()

        // A kiosk whose reader is the rig's reader 2, and a known customer's tap in front of it.
        let database = try await StoreDatabase.open(
            path: directory.appendingPathComponent("store.sqlite").path, options: .init(storeId: "bench-store", logger: logger))
        let kioskReader = TapBenchmarks.pcscName(TapBenchmarks.parcoursReaderIndex)
        let kiosk = try await database.addDevice(kind: .kiosk, name: "Bench kiosk", boundReader: kioskReader)
        let marie = try await database.signUp(SignUpRequest(firstName: "Marie", email: "marie@example.com", language: "fr")).profile
        try await database.bindIdentifier(kind: .cardUID, value: "04B0B0B0B0B0B0", profileId: marie.id, verified: false)

        let api = StoreAPI(database: database, settings: StoreServiceSettings(port: storePort, tapIdleTimeout: 3600))
        let pipeline = TapPipeline(recorder: TapRecorder(database: database, logger: logger), board: api.board, metrics: api.metrics)
        await pipeline.handle(try syntheticTap(uid: "04B0B0B0B0B0B0", reader: kioskReader))

        let store = Task { try await buildStoreApplication(api: api, logger: logger).run() }
        let bare = Task { try await bareApplication(logger: logger).run() }
        defer {
            store.cancel()
            bare.cancel()
        }
        guard await waitForListener(storePort), await waitForListener(barePort) else {
            throw BenchError("the HTTP servers did not start on ports \(storePort) and \(barePort)")
        }

        var lines = ["HTTP, wrk -t2 -c16 -d\(seconds)s on loopback (server and wrk share the 2 cores), median of 3 runs:"]
        let auth = ["Authorization: Bearer \(kiosk.token)"]
        let greeting = try Wrk.median(url: "http://127.0.0.1:\(storePort)/v1/taps/current", headers: auth, seconds: seconds)
        let bareGet = try Wrk.median(url: "http://127.0.0.1:\(barePort)/bare", headers: auth, seconds: seconds)
        lines.append("  greeting  GET /v1/taps/current: \(greeting) | bare Hummingbird GET: \(bareGet) | \(ratio(greeting, bareGet)) of bare (goal ≥ 60%)")
        let body = #"{"score":9,"comment":"Très bien","language":"fr"}"#
        let writerBefore = database.writerStatistics
        let feedbackStarted = ContinuousClock.now
        let feedback = try Wrk.median(url: "http://127.0.0.1:\(storePort)/v1/feedback", headers: auth, postBody: body, seconds: seconds)
        let writer = database.writerStatistics.since(writerBefore)
        let feedbackWall = ContinuousClock.now - feedbackStarted
        let barePost = try Wrk.median(url: "http://127.0.0.1:\(barePort)/bare", headers: auth, postBody: body, seconds: seconds)
        lines.append("  feedback POST /v1/feedback (one FULL-synchronous commit each): \(feedback) | bare Hummingbird POST: \(barePost) | \(ratio(feedback, barePost)) of bare (goal ≥ 60%)")
        lines.append("  the writer during the feedback runs: " + describe(writer, over: feedbackWall))

        lines += try await webSocketLatency(taps: webSocketTaps, pipeline: pipeline, token: kiosk.token, reader: kioskReader, logger: logger)
        try database.close()
        return lines
    }

    /// Whether the single writer was the bottleneck: busy nearly all the wall time, in large groups.
    static func describe(_ writer: WriterStatistics, over wall: Duration) -> String {
        let groups = Double(max(writer.groups, 1))
        return String(format: "%d writes in %d transactions (%.1f a group, largest %d), busy %.0f%% of the %.1f s, %.0f µs a transaction",
                      writer.writes, writer.groups, Double(writer.writes) / groups, writer.largestGroup,
                      writer.busy.milliseconds / wall.milliseconds * 100, wall.milliseconds / 1000, writer.busy.milliseconds * 1000 / groups)
    }

    static func ratio(_ measured: Wrk.Result, _ reference: Wrk.Result) -> String {
        String(format: "%.0f%%", measured.requestsPerSecond / reference.requestsPerSecond * 100)
    }

    /// The same work a greeting costs Hummingbird itself: route, a small JSON body, no auth, no database.
    static func bareApplication(logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        let answer = #"{"type":"tap","customer":"known","greeting":{"firstName":"Marie","points":120,"tier":"silver"}}"#
        router.get("bare") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        router.post("bare") { request, _ in
            _ = try await request.body.collect(upTo: 65_536)
            return Response(status: .created, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"id":"x"}"#)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: barePort)), logger: logger)
    }

    /// A tap as it travels: TapResult has no public memberwise initializer.
    static func syntheticTap(uid: String, reader: String) throws -> TapResult {
        let json: [String: Any] = [
            "reader": reader, "at": Date().timeIntervalSinceReferenceDate, "technology": "NFC Forum Type 2",
            "atr": "3B8F8001804F0CA0000003060300030000000068", "identifiers": ["cardUID": uid],
            "apduCount": 2, "milliseconds": 1.0,
        ]
        return try JSONDecoder().decode(TapResult.self, from: JSONSerialization.data(withJSONObject: json))
    }

    static func waitForListener(_ port: Int) async -> Bool {
        for _ in 0..<200 {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(descriptor)
            if connected == 0 { return true }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return false
    }

    // MARK: - Tap → kiosk WebSocket

    /// Taps on the kiosk's rig reader go through the reader service and the tap pipeline to the kiosk's live
    /// WebSocket; the C reference client reads the same card kind on the next reader, interleaved. Both are timed
    /// from pcscd's first word to the card, so the difference is what the service adds.
    static func webSocketLatency(
        taps: Int, pipeline: TapPipeline, token: String, reader: String, logger: Logger
    ) async throws -> [String] {
        let service = ReaderService(readers: [reader], logger: logger)
        defer { service.stop() }
        let consumer = Task {
            for await event in service.events {
                if case .tap(let tap) = event { await pipeline.handle(tap) }
            }
        }
        defer { consumer.cancel() }
        let inbox = MessageInbox()
        let client = Task {
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(storePort)/v1/taps/live?token=\(token)", logger: logger) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    if case .text(let text) = message { await inbox.received(text, at: .now) }
                }
            }
        }
        defer { client.cancel() }
        // The current tap arrives first, on connect: the live feed is running once it has.
        guard await inbox.next(within: .seconds(5)) != nil else { throw BenchError("the kiosk WebSocket sent nothing") }
        try await Task.sleep(for: .milliseconds(500))  // the reader service lists the readers

        let reference = try ReferenceClient(["watch", TapBenchmarks.pcscName(TapBenchmarks.referenceReaderIndex), "\(taps)"])
        defer { reference.stop() }
        guard reference.nextLine() == "ready" else { throw BenchError("the reference client did not start") }
        let bootBase = bootTimeNanoseconds()
        let clockBase = ContinuousClock.now

        var viaService = Samples(), viaReference = Samples()
        var missed = 0
        let removal = RemovalPolicy.whenIdle(idle: .milliseconds(150), maximumDwell: .seconds(3))
        for number in 0..<taps {
            let uid = try TagUID(hex: String(format: "04EB5C%08X", number))
            let report = try await VirtualReader.index(TapBenchmarks.parcoursReaderIndex).tap(try NTAGTag(model: .ntag213, uid: uid), removal: removal)
            if let (text, at) = await inbox.next(within: .seconds(3)), text.contains(#""customer":"unknown""#),
               let noticed = report.controlEvents.first?.receivedAt {
                viaService.add(noticed.duration(to: at))
            } else {
                missed += 1
            }
            try await Task.sleep(for: .milliseconds(450))
            let referenceReport = try await VirtualReader.index(TapBenchmarks.referenceReaderIndex).tap(try NTAGTag(model: .ntag213, uid: uid), removal: removal)
            if let line = reference.nextLine(), line.hasPrefix("uid "), let stamp = UInt64(line.split(separator: " ")[1]),
               let noticed = referenceReport.controlEvents.first?.receivedAt {
                viaReference.add(noticed.duration(to: clockBase.advanced(by: .nanoseconds(Int64(stamp) - Int64(bootBase)))))
            } else {
                missed += 1
            }
            try await Task.sleep(for: .milliseconds(450))
        }
        return [
            "tap → kiosk WebSocket message, \(taps) taps of unknown NTAG213 cards (each records an anonymous visit), from pcscd's first word to the card (missed: \(missed)):",
            "  WebSocket message p50 \(format(viaService.median)) p99 \(format(viaService.p99)) | reference C client UID p50 \(format(viaReference.median)) p99 \(format(viaReference.p99))",
            "  the service adds p50 \(format(viaService.median - viaReference.median)), p99 \(format(viaService.p99 - viaReference.p99)) (goal: p99 < 5 ms)",
        ]
    }
}

/// WebSocket messages as they arrive, with their arrival time.
actor MessageInbox {
    private var messages: [(String, ContinuousClock.Instant)] = []

    func received(_ text: String, at instant: ContinuousClock.Instant) { messages.append((text, instant)) }

    func next(within timeout: Duration) async -> (String, ContinuousClock.Instant)? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !messages.isEmpty { return messages.removeFirst() }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return nil
    }
}

/// wrk, run as a child process; its figures parsed from `--latency` output.
enum Wrk {
    struct Result: CustomStringConvertible {
        var requestsPerSecond: Double
        var p99Milliseconds: Double
        var description: String { String(format: "%.0f req/s, p99 %.2f ms", requestsPerSecond, p99Milliseconds) }
    }

    /// The run with the median throughput of three.
    static func median(url: String, headers: [String], postBody: String? = nil, seconds: Int) throws -> Result {
        let runs = try (0..<3).map { _ in try run(url: url, headers: headers, postBody: postBody, seconds: seconds) }
        return runs.sorted { $0.requestsPerSecond < $1.requestsPerSecond }[1]
    }

    static func run(url: String, headers: [String], postBody: String?, seconds: Int) throws -> Result {
        var arguments = ["-t2", "-c16", "-d\(seconds)s", "--latency"]
        for header in headers { arguments += ["-H", header] }
        var script: URL?
        if let postBody {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("wrk-\(UUID().uuidString).lua")
            let escaped = postBody.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            try Data("""
                wrk.method = "POST"
                wrk.body = "\(escaped)"
                wrk.headers["Content-Type"] = "application/json"
                """.utf8).write(to: file)
            arguments += ["-s", file.path]
            script = file
        }
        defer { if let script { try? FileManager.default.removeItem(at: script) } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = arguments + [url]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("wrk failed: \(output)") }
        // wrk exits 0 even when every answer is an error: count those as a failed run.
        if let line = output.split(separator: "\n").first(where: { $0.contains("Non-2xx or 3xx responses") }) {
            throw BenchError("wrk against \(url) got error answers: \(line.trimmingCharacters(in: .whitespaces))")
        }
        guard let rate = output.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") })
            .flatMap({ Double($0.split(separator: " ").last ?? "") }),
            let p99 = output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("99%") })
            .flatMap({ milliseconds(String($0.split(separator: " ").last ?? "")) })
        else { throw BenchError("could not read wrk's output: \(output)") }
        return Result(requestsPerSecond: rate, p99Milliseconds: p99)
    }

    /// "1.23ms", "850.00us", "1.02s" → milliseconds.
    static func milliseconds(_ text: String) -> Double? {
        for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(unit) {
            return Double(text.dropLast(unit.count)).map { $0 * factor }
        }
        return nil
    }
}
