import Foundation

/// Order statistics over measured samples, in milliseconds.
struct Samples {
    private(set) var values: [Double] = []

    mutating func add(_ milliseconds: Double) { values.append(milliseconds) }
    mutating func add(_ duration: Duration) { values.append(duration.milliseconds) }

    var count: Int { values.count }

    /// Nearest-rank percentile.
    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }

    var median: Double { percentile(50) }
    var p99: Double { percentile(99) }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}

func format(_ milliseconds: Double, digits: Int = 3) -> String {
    String(format: "%.\(digits)f ms", milliseconds)
}

/// Runs `body` in batches and returns the median time of one call, in microseconds.
func medianMicroseconds(batches: Int = 15, perBatch: Int, _ body: () throws -> Void) rethrows -> Double {
    var perCall: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<batches {
        let elapsed = try clock.measure { for _ in 0..<perBatch { try body() } }
        perCall.append(elapsed.milliseconds * 1000 / Double(perBatch))
    }
    return perCall.sorted()[perCall.count / 2]
}
