import Foundation
import GRDB

extension StoreDatabase {
    /// Writes a consistent copy of the database to `destination` while the store keeps running.
    ///
    /// SQLite's online backup API copies every page from one read transaction, i.e. one WAL snapshot: writes that
    /// commit meanwhile are simply not in the copy, and writers are never blocked. The copy goes to a temporary
    /// file, is checked with `PRAGMA integrity_check`, then renamed into place, so `destination` is either absent
    /// or complete. An existing file is not overwritten.
    public func backup(to destination: String) async throws {
        let fileManager = FileManager.default
        guard !fileManager.fileExists(atPath: destination) else {
            throw StoreError(.backupFailed, "\(destination) already exists; choose a new file name")
        }
        let directory = URL(fileURLWithPath: destination).deletingLastPathComponent()
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = destination + ".partial-" + UUID().uuidString.lowercased()
        defer { try? fileManager.removeItem(atPath: temporary) }

        let pool = self.pool
        try await Task.detached {
            let copy = try DatabaseQueue(path: temporary)
            try pool.backup(to: copy)
            let integrity = try copy.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            try copy.close()
            guard integrity == ["ok"] else {
                throw StoreError(.backupFailed, "the copy failed its integrity check: \(integrity.prefix(3).joined(separator: "; "))")
            }
        }.value
        try fileManager.moveItem(atPath: temporary, toPath: destination)
    }
}
