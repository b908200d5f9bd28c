import Foundation
import Prometheus
import Synchronization

/// What `/health` says, read from `ServiceStatus` in one go at scrape time.
struct ServiceStateSnapshot: Sendable {
    var pcscAvailable: Bool?
    var readers: Set<String>
    var readersEverSeen: Set<String>
    var sync: HeadOfficeSyncState?
    /// When the service started: "seconds since the last successful sync" counts from there until the first one.
    var startedAt: Date
    var now: Date

    init(_ status: ServiceStatus, now: Date = Date()) async {
        pcscAvailable = await status.pcscAvailable
        readers = await status.readers
        readersEverSeen = await status.readersEverSeen
        sync = await status.sync
        startedAt = status.startedAt
        self.now = now
    }
}

/// The store's reader and head-office gauges and counters, under the names `parcours-metrics-export` used to
/// derive from `/health`, so that alert rules and dashboards written for those keep working.
final class ServiceStateMetrics: Sendable {
    /// The sync engine keeps totals; a Prometheus counter only goes up by steps, so the last totals exported are kept.
    private let exportedTotals = Mutex<(pushed: Int, applied: Int)>((0, 0))

    func update(_ state: ServiceStateSnapshot, registry: PrometheusCollectorRegistry) {
        gauge(registry, "pcsc_available", "1 when pcscd answers the store service (0: unavailable or not yet known).")
            .set(to: state.pcscAvailable == true ? 1 : 0)
        gauge(registry, "readers_seen", "Readers the store service currently sees through pcscd.")
            .set(to: Double(state.readers.count))
        // A reader that went away stays as a 0 series: an alert can name it.
        for reader in state.readersEverSeen {
            registry.makeGauge(
                name: "parcours_reader_present", labels: [("reader", reader)],
                help: "1 per reader the store service sees now, 0 for one seen earlier that is gone, by PC/SC name.")
                .set(to: state.readers.contains(reader) ? 1 : 0)
        }
        gauge(registry, "headoffice_configured", "1 when the store syncs with head office.")
            .set(to: state.sync == nil ? 0 : 1)
        let sync = state.sync ?? HeadOfficeSyncState()
        gauge(registry, "headoffice_sync_ok", "1 when the last sync round with head office succeeded.")
            .set(to: sync.isOK ? 1 : 0)
        gauge(registry, "headoffice_sync_consecutive_failures", "Failed sync attempts since the last success.")
            .set(to: Double(sync.consecutiveFailures))
        if state.sync != nil {
            let since = sync.lastSuccessAt ?? state.startedAt
            gauge(registry, "headoffice_seconds_since_last_sync",
                  "Seconds since the last successful sync round (since the service started, until the first one).")
                .set(to: max(0, state.now.timeIntervalSince(since)).rounded())
        }
        let (pushed, applied) = exportedTotals.withLock { totals in
            defer { totals = (max(totals.pushed, sync.pushedEvents), max(totals.applied, sync.appliedChanges)) }
            return (max(0, sync.pushedEvents - totals.pushed), max(0, sync.appliedChanges - totals.applied))
        }
        counter(registry, "headoffice_events_pushed", "Outbox events head office accepted since the service started.")
            .increment(by: Int64(pushed))
        counter(registry, "headoffice_changes_applied", "Head-office changes the store applied since the service started.")
            .increment(by: Int64(applied))
    }

    private func gauge(_ registry: PrometheusCollectorRegistry, _ name: String, _ help: String) -> Gauge {
        registry.makeGauge(name: "parcours_" + name, help: help)
    }

    private func counter(_ registry: PrometheusCollectorRegistry, _ name: String, _ help: String) -> Counter {
        registry.makeCounter(name: "parcours_" + name + "_total", help: help)
    }
}
