import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `parcours doctor`: everything a store needs, checked one line at a time, each failure with its fix. Made for the
/// person in front of a broken store PC, and for monitoring (`--json`, and the exit status).
///
/// It takes `parcours serve`'s options, so the unit's ExecStart arguments can be pasted after it, and it changes
/// nothing: the database is opened read-only beside the running service, readers are shared, and head office
/// only sees an unsigned /health and one signed read.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check pcscd, the readers, the database, head office and the certificates; a fix for each failure.",
        discussion: """
            Takes the same options and environment as parcours serve, e.g.
              parcours doctor --service-config /etc/parcours/store.json --config /etc/parcours/identification.json \\
                --rules /etc/parcours/loyalty.json --database /var/lib/parcours/store.sqlite
            Add --env-file /etc/parcours/store.env (as root) for the head-office link and secrets the unit gives the service.
            Safe while the service runs. Exit status 0 when nothing FAILs (warnings allowed), 1 otherwise.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Identification settings JSON (default: config/identification.json if present).")
    var config: String?

    @Option(help: "Store service settings JSON (default: config/store.json if present). PARCOURS_* environment variables override it.")
    var serviceConfig: String?

    @Option(help: "As for serve: the address the service would listen on (only reported).")
    var host: String?

    @Option(help: "As for serve: the port the service would listen on (only reported).")
    var port: Int?

    @Option(help: "Head office's URL (default: PARCOURS_HEADOFFICE_URL).")
    var headOffice: String?

    @Option(help: "A systemd EnvironmentFile to read first, as the service's unit does (/etc/parcours/store.env: head office, secrets).")
    var envFile: String?

    @Flag(help: "One JSON document {ok, checks: [{check, status, detail, fix}]} instead of lines.")
    var json = false

    @Option(help: "Seconds to wait for pcscd, a card or head office before calling it hung (the database check waits at least 60).")
    var timeout: Double = 5

    func validate() throws {
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be between 1 and 65535, got \(port)") }
        guard timeout.isFinite, (0.1...600).contains(timeout) else {
            throw ValidationError("--timeout must be a number of seconds from 0.1 to 600, got \(timeout)")
        }
    }

    func run() async throws {
        if let envFile {
            // Into the process itself: pcsc-lite and the head-office link read the environment directly.
            for (key, value) in try EnvironmentFile.read(envFile) { setenv(key, value, 1) }
        }
        let report = await diagnose(environment: ProcessInfo.processInfo.environment)
        let text = try json ? report.json() : report.text
        console(text)
        // _exit, not a normal exit: a PC/SC call given up on at its deadline may still be running on its thread, and
        // exit()'s teardown of libpcsclite under it was seen to crash (status 11). The report is already written
        // (console writes unbuffered), and the doctor holds nothing else to flush.
        _exit(report.ok ? 0 : 1)
    }

    func diagnose(environment: [String: String]) async -> DoctorReport {
        let limit = Duration.milliseconds(Int(timeout * 1000))
        var checks: [DoctorCheck] = []
        let (configChecks, settings) = ConfigChecks.run(self, environment: environment)
        checks += configChecks
        let (databaseChecks, contents) = await DatabaseChecks.run(path: store.database, limit: max(limit, .seconds(60)))
        checks += databaseChecks
        checks += await ReaderChecks.run(settings: settings, store: contents, limit: limit)
        checks += await HeadOfficeChecks.run(url: headOffice, store: contents, limit: limit, environment: environment)
        checks += CertificateChecks.run(settings: settings, environment: environment)
        return DoctorReport(checks: checks)
    }
}
