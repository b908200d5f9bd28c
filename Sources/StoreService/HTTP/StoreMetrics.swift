import Logging
import Foundation
import Prometheus
import Synchronization

/// The service's Prometheus metrics, on a registry of its own (not the process-wide MetricsSystem), so that each
/// application instance, and each test, counts only what it did.
public final class StoreMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let tapLatency: DurationHistogram
    private let outboxBacklog: Gauge
    /// The request histograms already made, by label set. The registry's own lookup validates the metric name,
    /// labels and help text on every call, which cost more than the rest of a cached greeting.
    private let requestHistograms = Mutex<[RequestLabels: DurationHistogram]>([:])
    private let linkMetrics = ServiceStateMetrics()

    private struct RequestLabels: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        tapLatency = registry.makeDurationHistogram(
            descriptor: .init(namespace: "parcours", metricName: "tap_duration", unitName: "seconds",
                              helpText: "From card seen to identification result."),
            buckets: [.milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(200),
                      .milliseconds(400), .milliseconds(800), .seconds(2)])
        outboxBacklog = registry.makeGauge(
            descriptor: .init(namespace: "parcours", metricName: "outbox_pending", unitName: "events",
                              helpText: "Outbox events not yet acknowledged by head office."))
    }

    /// Taps by kind (the strongest identifier proved, or "none") and result (known, unknown, unreadable, notRecorded).
    public func tapObserved(kind: String, result: String, milliseconds: Double) {
        registry.makeCounter(
            descriptor: .init(namespace: "parcours", metricName: "taps", unitName: "total",
                              helpText: "Taps seen by the readers."),
            labels: [("kind", kind), ("result", result)]).increment()
        tapLatency.record(.nanoseconds(Int64(max(0, milliseconds) * 1_000_000)))
    }

    /// One HTTP request. `route` is the matched route pattern (never the raw path, which could carry ids).
    func requestObserved(method: String, route: String, status: Int, duration: Duration) {
        let labels = RequestLabels(method: method, route: route, status: status)
        if let histogram = requestHistograms.withLock({ $0[labels] }) {
            histogram.record(duration)
            return
        }
        let histogram = registry.makeDurationHistogram(
            descriptor: .init(namespace: "parcours", metricName: "http_request_duration", unitName: "seconds",
                              helpText: "HTTP request latency."),
            labels: [("method", method), ("route", route), ("status", String(status))],
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .seconds(1)])
        // Routes are patterns and statuses a handful, so this stays a few dozen entries.
        requestHistograms.withLock { $0[labels] = histogram }
        histogram.record(duration)
    }

    func outboxBacklog(_ count: Int) {
        outboxBacklog.set(Double(count))
    }

    /// The reader and head-office state `/health` reports, as gauges and counters, set at scrape time.
    func serviceState(_ state: ServiceStateSnapshot) {
        linkMetrics.update(state, registry: registry)
    }

    public func exposition() -> String {
        registry.emitToString()
    }
}
