import Foundation

// Benchmarks: `make bench` (release build, the rig started). Each suite measures Parcours beside a reference
// measured in the same run. Suites: taps, parse, store, http, hq, insight (all by default); e.g. `parcours-bench taps parse`.
// BENCH_TAPS sets the number of taps per client for tap-to-UID (default 200); BENCH_WS_TAPS the taps per client
// for tap → kiosk WebSocket (default 100). hq and insight need PARCOURS_BENCH_DATABASE_URL (see HeadOfficeBenchmarks, InsightBenchmarks).

let requested = Set(CommandLine.arguments.dropFirst())
func wants(_ suite: String) -> Bool { requested.isEmpty || requested.contains(suite) }
let taps = ProcessInfo.processInfo.environment["BENCH_TAPS"].flatMap(Int.init) ?? 200

func report(_ lines: [String]) {
    for line in lines { print(line) }
    print("")
}

do {
    print("parcours-bench on \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Date())\n")
    if wants("parse") { report(try ParseBenchmarks.run()) }
    if wants("taps") {
        let roundTrip = try await TapBenchmarks.apduRoundTrip(count: 2000)
        report(roundTrip.lines)
        report(try await TapBenchmarks.cardKinds(tapsPerKind: 20, bareRoundTrip: roundTrip.medianMilliseconds))
        report(try await TapBenchmarks.tapToUID(taps: taps))
    }
    if wants("store") { report(try await StoreBenchmarks.run()) }
    if wants("http") {
        let webSocketTaps = ProcessInfo.processInfo.environment["BENCH_WS_TAPS"].flatMap(Int.init) ?? 100
        report(try await HTTPBenchmarks.run(webSocketTaps: webSocketTaps))
    }
    if wants("hq") { report(try await HeadOfficeBenchmarks.run()) }
    if wants("insight") { report(try await InsightBenchmarks.run()) }
} catch {
    print("parcours-bench: \(error)")
    exit(1)
}
