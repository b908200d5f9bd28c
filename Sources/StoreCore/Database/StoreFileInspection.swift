import Foundation
import GRDB

/// What `parcours doctor` needs to know about a store file, read without writing a byte to it.
///
/// ``StoreDatabase/open(path:options:)`` migrates and syncs the reward catalog, so it writes; a diagnosis must run
/// next to the running service and on a file that may be broken or newer than this binary. So this opens a
/// read-only connection (a WAL reader beside the service's writer) and asks only plain SQL, never the record
/// types, which would fail on a schema they do not know.
public struct StoreFileInspection: Sendable {
    /// SQLite's `PRAGMA quick_check` answer: `["ok"]` for a sound file, else its first messages (at most 20).
    public var quickCheck: [String]
    public var isSound: Bool { quickCheck == ["ok"] }
    /// The file's size in bytes, WAL included.
    public var bytes: Int64
    /// What the store tables say; nil when they could not be read (see ``contentsError``).
    public var contents: Contents?
    /// Why the store tables could not be read, when they could not.
    public var contentsError: String?

    public struct Contents: Sendable {
        /// Schema migrations recorded in the file, in the order they were applied.
        public var appliedMigrations: [String]
        /// The migrations this binary knows, oldest first.
        public var knownMigrations: [String]
        /// Applied but unknown here: the file was written by a newer parcours.
        public var unknownMigrations: [String] { appliedMigrations.filter { !knownMigrations.contains($0) } }
        /// Known but not applied yet: `parcours serve` applies them when it starts.
        public var pendingMigrations: [String] { knownMigrations.filter { !appliedMigrations.contains($0) } }
        /// Nil in a file that has no store row yet.
        public var storeId: String?
        /// Head office's cursor in this store's change feed, as the last pull left it.
        public var inboundCursor: String?
        /// Devices that are not revoked.
        public var activeDevices: [ActiveDevice]
        /// Outbox events head office has not acknowledged yet.
        public var pendingEvents: Int
        public var oldestPendingEventAt: Date?
    }

    public struct ActiveDevice: Sendable, Hashable {
        public var name: String
        public var kind: String
        public var boundReader: String?
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Reads `path` on a thread of GRDB's, never the caller's: SQLite calls block, and `quick_check` reads the
    /// whole file.
    ///
    /// - Throws: ``Failure`` when the file is missing; SQLite's own error when it cannot be opened or is damaged
    ///   past reading its first page (`file is not a database`, `database disk image is malformed`).
    public static func inspect(path: String) async throws -> StoreFileInspection {
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "no database file at \(path)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "parcours.doctor"
        // The service may be checkpointing; a reader waits a moment rather than fail at once.
        configuration.busyMode = .timeout(5)
        let queue = try DatabaseQueue(path: openingPath(path), configuration: configuration)
        defer { try? queue.close() }
        let quickCheck = try await queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(20)") }
        let bytes = [path, path + "-wal"].reduce(Int64(0)) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0)
        }
        var inspection = StoreFileInspection(quickCheck: quickCheck, bytes: bytes)
        do {
            inspection.contents = try await queue.read { db in try contents(db) }
        } catch let failure as Failure {
            inspection.contentsError = failure.description
        } catch {
            // A damaged file often fails here after quick_check has said where; keep both.
            inspection.contentsError = "\(error)"
        }
        return inspection
    }

    /// With the service running, its `-shm` file exists and a read-only connection shares it as a WAL reader. Without
    /// it, SQLite would create `-shm` and `-wal` for a read-only connection, owned by whoever runs the doctor (root,
    /// often), and the service could not open them afterwards: so the file is opened immutable instead, which
    /// creates nothing. (USE_URI is compiled into Debian's SQLite.)
    static func openingPath(_ path: String) -> String {
        guard !FileManager.default.fileExists(atPath: path + "-shm") else { return path }
        let absolute = URL(fileURLWithPath: path).path
        var escaped = ""
        for character in absolute {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3f"
            case "#": escaped += "%23"
            case " ": escaped += "%20"
            default: escaped.append(character)
            }
        }
        return "file:\(escaped)?immutable=1"
    }

    private static func contents(_ db: Database) throws -> Contents {
        guard try db.tableExists("grdb_migrations"), try db.tableExists("syncState") else {
            throw Failure(description: "an SQLite file, but not a Parcours store database (no store tables)")
        }
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
        let state = try Row.fetchOne(db, sql: "SELECT storeId, acknowledgedSequence, inboundCursor FROM syncState WHERE id = 1")
        let acknowledged: Int64 = state?["acknowledgedSequence"] ?? 0
        let devices = try Row.fetchAll(db, sql: "SELECT name, kind, boundReader FROM device WHERE revokedAt IS NULL ORDER BY name")
            .map { ActiveDevice(name: $0["name"], kind: $0["kind"], boundReader: $0["boundReader"]) }
        let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE sequence > ?", arguments: [acknowledged]) ?? 0
        let oldest = try Date.fetchOne(db, sql: "SELECT MIN(createdAt) FROM outbox WHERE sequence > ?", arguments: [acknowledged])
        return Contents(appliedMigrations: applied, knownMigrations: StoreMigrations.migrator.migrations,
                        storeId: state?["storeId"], inboundCursor: state?["inboundCursor"], activeDevices: devices,
                        pendingEvents: pending, oldestPendingEventAt: oldest)
    }
}
