import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `parcours db restore` did, and what the store lost by it.
public struct RestoreReport: Sendable, Codable, Hashable {
    public var storeId: String
    /// The highest outbox sequence the backup had issued: events written from now on are numbered after it until
    /// the sync engine learns head office's (``StoreDatabase/reconcileAfterRestore(headOfficeAcknowledged:headOfficeHighest:)``).
    public var backupHighestSequence: Int64
    public var backupAcknowledgedSequence: Int64
    /// Migrations run on the restored copy because the backup was made by an older release.
    public var migrationsRun: [String]
    /// The replaced database, kept next to it (nil when there was none).
    public var safetyCopy: String?
    /// The replaced database's highest sequence and acknowledged sequence, when it could be read.
    public var replacedHighestSequence: Int64?
    public var replacedAcknowledgedSequence: Int64?
    /// Events of the replaced database after the backup's last that head office had acknowledged: head office keeps
    /// them (points, visits, purchases), but their rows are no longer in this store's file.
    public var eventsOnlyAtHeadOffice: Int64
    /// Events of the replaced database after the backup's last that head office had not acknowledged when the store
    /// last heard from it: gone, unless they reached head office after all.
    public var eventsLost: Int64
}

extension StoreDatabase {
    /// Replaces the database at `path` with the backup at `backup`, refusing (and changing nothing) a file that is
    /// not a Parcours store database, one that fails its integrity check, one of another store, one whose schema
    /// this release does not know, and any while a connection has `path` open (``DatabaseInUseProbe``).
    ///
    /// The backup file itself is only read: it is copied next to `path`, the copy is checked, migrated if older and
    /// marked as restored, and then swapped in with one `rename(2)`, so `path` is always a whole database. The
    /// replaced database is checkpointed (its WAL folded in) and kept as `<path>.before-restore-<time>`, a hard
    /// link made before the swap. `storeId` is the configured store; without it the replaced database's own id is
    /// used, and without either the restore is refused.
    public static func restore(backup: String, over path: String, storeId: String?, now: Date = Date()) async throws -> RestoreReport {
        let requested = try storeId.map { try TextField.token($0, field: "storeId") }
        return try await BlockingWork.run {
            try RestoreOperation(backup: backup, path: path, requestedStoreId: requested, now: now.storeTruncated).run()
        }
    }
}

private struct RestoreOperation {
    let backup: String
    let path: String
    let requestedStoreId: String?
    let now: Date
    private var fileManager: FileManager { .default }

    func run() throws -> RestoreReport {
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: backup, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw StoreError(.notAStoreDatabase, "\(backup) does not exist or is not a file")
        }
        guard URL(fileURLWithPath: backup).standardizedFileURL.resolvingSymlinksInPath()
                != URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath() else {
            throw StoreError(.invalidArgument, "\(backup) is the database itself: name a backup file")
        }
        try checkHeader()
        // Refuse early, before any copy, if the service is running; checked again (and held) for the swap.
        try DatabaseInUseProbe(path: path)?.release()

        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = path + ".restoring-" + UUID().uuidString.lowercased()
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { try? fileManager.removeItem(atPath: temporary + suffix) } }
        try fileManager.copyItem(atPath: backup, toPath: temporary)

        var copy = try inspect(temporary)
        let replaced = try fileManager.fileExists(atPath: path) ? readReplaced() : nil
        guard let expected = requestedStoreId ?? replaced?.storeId else {
            throw StoreError(.storeIdRequired, "there is no readable database at \(path) to take the store id from: give --store-id")
        }
        if let requestedStoreId, let replacedId = replaced?.storeId, requestedStoreId != replacedId {
            throw StoreError(.storeMismatch, "database \(path) belongs to store \(replacedId), not \(requestedStoreId)")
        }
        guard copy.storeId == expected else {
            throw StoreError(.storeMismatch, "\(backup) is a backup of store \(copy.storeId), not of \(expected): nothing was restored")
        }
        copy.migrationsRun = try prepare(temporary)
        // Only now, every check passed, is the current file touched: its WAL folded in for the safety copy.
        let checkpointed = replaced != nil && checkpointReplaced()

        // Again for the swap: a service started since the first probe has created the `-shm` and holds its lock.
        // Held through the swap, the lock makes a connection opening meanwhile fail instead of seeing a half swap.
        let probe = try DatabaseInUseProbe(path: path)
        defer { probe?.release() }
        var safetyCopy: String?
        if fileManager.fileExists(atPath: path) {
            let safety = path + ".before-restore-" + Self.stamp(now)
            guard link(path, safety) == 0 else {
                throw StoreError(.backupFailed, "could not keep the current database as \(safety) (errno \(errno)): nothing was restored")
            }
            // A database that could not be checkpointed keeps its WAL beside its safety copy.
            for suffix in ["-wal"] where fileManager.fileExists(atPath: path + suffix) && !checkpointed {
                try fileManager.moveItem(atPath: path + suffix, toPath: safety + suffix)
            }
            safetyCopy = safety
        }
        guard rename(temporary, path) == 0 else {
            throw StoreError(.backupFailed, "could not move the restored copy into place (errno \(errno)): \(path) is unchanged")
        }
        // The replaced file's WAL (empty after its checkpoint) and shared memory must not be read with the new file.
        for suffix in ["-wal", "-shm"] { try? fileManager.removeItem(atPath: path + suffix) }
        Self.syncDirectory(directory.path)

        let replacedHighest = replaced?.highestSequence, replacedAcknowledged = replaced?.acknowledgedSequence
        let onlyAtHeadOffice = max(0, (replacedAcknowledged ?? 0) - copy.highestSequence)
        let lost = max(0, (replacedHighest ?? 0) - max(replacedAcknowledged ?? 0, copy.highestSequence))
        return RestoreReport(storeId: copy.storeId, backupHighestSequence: copy.highestSequence,
                             backupAcknowledgedSequence: copy.acknowledgedSequence, migrationsRun: copy.migrationsRun,
                             safetyCopy: safetyCopy, replacedHighestSequence: replacedHighest,
                             replacedAcknowledgedSequence: replacedAcknowledged, eventsOnlyAtHeadOffice: onlyAtHeadOffice,
                             eventsLost: lost)
    }

    private func checkHeader() throws {
        guard let handle = FileHandle(forReadingAtPath: backup) else {
            throw StoreError(.notAStoreDatabase, "\(backup) cannot be read")
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw StoreError(.notAStoreDatabase, "\(backup) is not an SQLite database (it does not start with SQLite's header)")
        }
    }

    private struct Inspected {
        var storeId: String
        var highestSequence: Int64
        var acknowledgedSequence: Int64
        var migrationsRun: [String] = []
    }

    /// The copy's integrity, schema and store, read before anything is changed.
    private func inspect(_ file: String) throws -> Inspected {
        do {
            let queue = try DatabaseQueue(path: file)
            defer { try? queue.close() }
            return try queue.read { db in
                let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                guard integrity == ["ok"] else {
                    throw StoreError(.backupDamaged, "\(backup) fails its integrity check: \(integrity.prefix(3).joined(separator: "; ")); nothing was restored")
                }
                guard try db.tableExists("grdb_migrations"), try db.tableExists("syncState"),
                      let storeId = try String.fetchOne(db, sql: "SELECT storeId FROM syncState WHERE id = 1") else {
                    throw StoreError(.notAStoreDatabase, "\(backup) is an SQLite database but not a Parcours store database (no store schema)")
                }
                let known = Set(StoreMigrations.names)
                let unknown = try StoreMigrations.migrator.appliedIdentifiers(db).subtracting(known).sorted()
                guard unknown.isEmpty else {
                    throw StoreError(.schemaTooNew, "\(backup) has schema migration(s) \(unknown.joined(separator: ", ")) that this release of parcours does not know (it knows \(StoreMigrations.names.first!)–\(StoreMigrations.names.last!)): restore it with the release that wrote it, or a newer one")
                }
                let highest = try Self.highestSequence(db)
                let acknowledged = try Int64.fetchOne(db, sql: "SELECT acknowledgedSequence FROM syncState WHERE id = 1") ?? 0
                return Inspected(storeId: storeId, highestSequence: highest, acknowledgedSequence: acknowledged)
            }
        } catch let error as DatabaseError {
            throw StoreError(.backupDamaged, "\(backup) cannot be read as a database (\(error.resultCode): \(error.message ?? "no detail")); nothing was restored")
        }
    }

    private struct Replaced {
        var storeId: String?
        var highestSequence: Int64?
        var acknowledgedSequence: Int64?
    }

    /// The database being replaced: its store and positions, read without changing it. A damaged one is still
    /// replaced (that is what restores are for), as it is; the store id must then come from --store-id.
    private func readReplaced() throws -> Replaced {
        do {
            // Read-only: a read-write connection would checkpoint the WAL when it closes, changing the file even
            // when the restore is then refused.
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                var replaced = Replaced()
                if try db.tableExists("syncState") {
                    replaced.storeId = try String.fetchOne(db, sql: "SELECT storeId FROM syncState WHERE id = 1")
                    replaced.acknowledgedSequence = try Int64.fetchOne(db, sql: "SELECT acknowledgedSequence FROM syncState WHERE id = 1")
                    replaced.highestSequence = try Self.highestSequence(db)
                }
                return replaced
            }
        } catch is DatabaseError {
            return Replaced()
        }
    }

    /// Folds the replaced database's WAL into its file, so that the safety copy is one whole file. False when it
    /// cannot be done (a damaged file): its WAL then moves along with the safety copy.
    private func checkpointReplaced() -> Bool {
        do {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            return true
        } catch {
            return false
        }
    }

    /// Migrates the copy if it is older and marks it restored; then folds its WAL in, so it moves as one file.
    private func prepare(_ file: String) throws -> [String] {
        let queue = try DatabaseQueue(path: file)
        let before = try queue.read { db in try StoreMigrations.migrator.appliedIdentifiers(db) }
        try StoreMigrations.migrator.migrate(queue)
        let now = self.now
        try queue.write { db in
            // headOfficeAnsweredAt is cleared: the backup's would let the store count as recently online, and the
            // offline allowance is never given to a store that has not heard from head office since.
            try db.execute(sql: """
                UPDATE syncState SET restoredAt = ?, updatedAt = ?, headOfficeAnsweredAt = NULL,
                    restoredThroughSequence = MAX(COALESCE((SELECT MAX(sequence) FROM outbox), 0), acknowledgedSequence)
                WHERE id = 1
                """, arguments: [now, now])
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard integrity == ["ok"] else {
                throw StoreError(.backupDamaged, "the migrated copy of \(backup) fails its integrity check: \(integrity.prefix(3).joined(separator: "; "))")
            }
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        return StoreMigrations.names.filter { !before.contains($0) }
    }

    private static func highestSequence(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: """
            SELECT MAX(COALESCE((SELECT MAX(sequence) FROM outbox), 0),
                       COALESCE((SELECT acknowledgedSequence FROM syncState WHERE id = 1), 0))
            """) ?? 0
    }

    private static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02d-%02d%02d%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
    }

    /// Makes the renames durable: a rename is in the directory, which is flushed on its own.
    private static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}
