import Foundation
import Glibc
import StoreCore

/// `database`, `schema` and `disk`: the store file read through a read-only connection beside the running service.
enum DatabaseChecks {
    /// Under this much free space on the database's filesystem a write can fail at any moment.
    static let failBelowBytes: Int64 = 500_000_000
    /// Under this much, a daily backup (a full copy) may no longer fit for long.
    static let warnBelowBytes: Int64 = 2_000_000_000

    static func run(path: String, limit: Duration) async -> ([DoctorCheck], StoreFileInspection.Contents?) {
        var checks: [DoctorCheck] = []
        var contents: StoreFileInspection.Contents?
        let restore = "stop parcours-store, keep the damaged file aside, and restore the latest copy from /var/lib/parcours/backups (parcours db check on the copy first)"
        switch await withDeadline(limit, { try await StoreFileInspection.inspect(path: path) }) {
        case .timedOut(let limit):
            checks.append(.fail("database", "\(path): quick_check did not finish within \(limit.doctorText)",
                                fix: "the disk may be failing or the file very large: run sqlite3 \(path) 'PRAGMA quick_check' by hand and check dmesg for disk errors"))
            checks.append(.skip("schema", because: "the database did not answer", fix: "fix the database check first"))
        case .error(let error as StoreFileInspection.Failure):
            checks.append(.fail("database", error.description,
                                fix: "check --database (the service's is /var/lib/parcours/store.sqlite); parcours serve creates the file on its first start"))
            checks.append(.skip("schema", because: "no database to read", fix: "fix the database check first"))
        case .error(let error):
            checks.append(.fail("database", "\(path) cannot be read: \(sqliteMessage(error))", fix: restore))
            checks.append(.skip("schema", because: "the database cannot be read", fix: "fix the database check first"))
        case .value(let inspection):
            if inspection.isSound {
                checks.append(.ok("database", "\(path) (\(bytesText(inspection.bytes))): quick_check ok"))
            } else {
                checks.append(.fail("database", "\(path): quick_check found damage: \(inspection.quickCheck.prefix(3).joined(separator: "; "))",
                                    fix: restore))
            }
            contents = inspection.contents
            checks.append(schema(inspection))
        }
        checks.append(disk(path: path))
        return (checks, contents)
    }

    private static func schema(_ inspection: StoreFileInspection) -> DoctorCheck {
        guard let contents = inspection.contents else {
            return .skip("schema", because: "the store tables cannot be read: \(inspection.contentsError ?? "unknown error")",
                         fix: "fix the database check first")
        }
        let known = contents.knownMigrations
        let range = "\(known.first ?? "?")…\(known.last ?? "?")"
        if !contents.unknownMigrations.isEmpty {
            return .fail("schema", "the file has schema migration \(contents.unknownMigrations.joined(separator: ", ")), newer than this parcours knows (\(range))",
                         fix: "upgrade parcours to the version that wrote this database (never run an older binary on it)")
        }
        if !contents.pendingMigrations.isEmpty {
            return .warn("schema", "at \(contents.appliedMigrations.last ?? "none"); this parcours knows \(range)",
                         fix: "parcours serve applies \(contents.pendingMigrations.joined(separator: ", ")) when it next starts: take a backup first (parcours db backup)")
        }
        return .ok("schema", "\(contents.appliedMigrations.last ?? "?"), as this parcours expects; store \(contents.storeId ?? "not set yet")")
    }

    private static func disk(path: String) -> DoctorCheck {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else {
            return .fail("disk", "cannot read the free space of \(directory): \(String(cString: strerror(errno)))",
                         fix: "check that \(directory) exists and is mounted")
        }
        let free = Int64(stats.f_bavail) * Int64(stats.f_frsize)
        let total = Int64(stats.f_blocks) * Int64(stats.f_frsize)
        let detail = "\(bytesText(free)) free of \(bytesText(total)) on the filesystem of \(directory)"
        let thresholds = "warn under \(bytesText(warnBelowBytes)), FAIL under \(bytesText(failBelowBytes))"
        let fix = "free space on that filesystem: old copies in /var/lib/parcours/backups, journalctl --vacuum-size=200M, apt-get clean"
        if free < failBelowBytes { return .fail("disk", "\(detail) (\(thresholds))", fix: fix) }
        if free < warnBelowBytes { return .warn("disk", "\(detail) (\(thresholds))", fix: fix) }
        return .ok("disk", detail)
    }

    /// GRDB's error text without the SQL it was running.
    static func sqliteMessage(_ error: any Error) -> String {
        let text = "\(error)"
        guard let range = text.range(of: "SQLite error ") else { return text }
        let message = text[range.upperBound...]
        return String(message.split(separator: " - while executing", maxSplits: 1).first ?? message)
    }

    static func bytesText(_ bytes: Int64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : String(format: value < 10 ? "%.1f" : "%.0f", value) + " " + units[unit]
    }
}
