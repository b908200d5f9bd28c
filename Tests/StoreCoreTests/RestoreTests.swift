import Crypto
import Foundation
import GRDB
@testable import StoreCore
import Testing

/// `StoreDatabase.restore` (`parcours db restore`): each refusal leaves the current database byte for byte as it
/// was, with no safety copy and no leftover; a good backup is swapped in and an older one migrated.
@Suite("Restore refusals and the swap")
struct RestoreTests {
    /// A store with some sales, closed, and a backup of it taken before the last ones.
    struct Fixture {
        let store: TestStore
        let backup: String
        let profile: String

        init(storeId: String = "store-1") async throws {
            store = try await TestStore(storeId: storeId)
            profile = try await store.database.signUpTestProfile()
            for index in 0..<40 {
                _ = try await store.database.recordPurchase(PurchaseRequest(
                    receiptId: "R-\(index)", tillDeviceId: "till-1", amountMinor: 1_000, currency: "EUR", profileId: profile, at: t0 + hours(1)))
            }
            backup = store.directory.path("backups/copy.sqlite")
            try await store.database.backup(to: backup)
            for index in 40..<45 {
                _ = try await store.database.recordPurchase(PurchaseRequest(
                    receiptId: "R-\(index)", tillDeviceId: "till-1", amountMinor: 1_000, currency: "EUR", profileId: profile, at: t0 + hours(1)))
            }
        }

        var path: String { store.path }
        func close() throws { try store.database.close() }
    }

    static func digest(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    /// Runs a restore that must be refused with `code`, and checks that nothing changed.
    static func expectRefusal(_ code: StoreError.Code, backup: String, over fixture: Fixture, storeId: String? = "store-1",
                              mentioning words: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = try digest(fixture.path)
        let listing = try FileManager.default.contentsOfDirectory(atPath: fixture.store.directory.url.path).sorted()
        let error = await #expect(throws: StoreError.self, sourceLocation: sourceLocation) {
            _ = try await StoreDatabase.restore(backup: backup, over: fixture.path, storeId: storeId)
        }
        #expect(error?.code == code, "\(String(describing: error))", sourceLocation: sourceLocation)
        for word in words {
            #expect(error?.message.contains(word) == true, "\(String(describing: error)) should mention \(word)", sourceLocation: sourceLocation)
        }
        #expect(try digest(fixture.path) == before, "the current database is untouched", sourceLocation: sourceLocation)
        let after = try FileManager.default.contentsOfDirectory(atPath: fixture.store.directory.url.path).sorted()
        #expect(after.filter { !$0.hasSuffix("-shm") && !$0.hasSuffix("-wal") } == listing.filter { !$0.hasSuffix("-shm") && !$0.hasSuffix("-wal") },
                "no safety copy and no leftover", sourceLocation: sourceLocation)
    }

    @Test("a good backup replaces the database, the replaced one is kept, and the loss is reported")
    func swap() async throws {
        let fixture = try await Fixture()
        try fixture.close()
        let report = try await StoreDatabase.restore(backup: fixture.backup, over: fixture.path, storeId: nil)
        #expect(report.storeId == "store-1")
        #expect(report.migrationsRun.isEmpty)
        // 1 sign-up (profile, identifier, bonus…) and 40 sales in the backup; 5 sales (10 events) after it, never sent.
        #expect(report.replacedHighestSequence == report.backupHighestSequence + 10)
        #expect(report.eventsLost == 10 && report.eventsOnlyAtHeadOffice == 0)
        let safety = try #require(report.safetyCopy)
        #expect(FileManager.default.fileExists(atPath: safety) && !FileManager.default.fileExists(atPath: safety + "-wal"),
                "the safety copy is one whole file (its WAL folded in); its content is checked below")
        for suffix in ["-wal", "-shm"] { #expect(!FileManager.default.fileExists(atPath: fixture.path + suffix)) }

        let restored = try await StoreDatabase.open(path: fixture.path, options: .init(storeId: "store-1"))
        #expect(try await restored.check().isConsistent)
        #expect(try await restored.balance(profileId: fixture.profile, at: t0 + hours(2)) == 50 + 40 * 10)
        #expect(try await restored.restoredThroughSequence() == report.backupHighestSequence)
        let safetyCopy = try await StoreDatabase.open(path: safety, options: .init(storeId: "store-1"))
        #expect(try await safetyCopy.balance(profileId: fixture.profile, at: t0 + hours(2)) == 50 + 45 * 10)
        // With head office's answer, events written since the restore move past what it holds.
        let next = try await restored.recordPurchase(PurchaseRequest(
            receiptId: "N-1", tillDeviceId: "till-1", amountMinor: 1_000, currency: "EUR", profileId: fixture.profile, at: t0 + hours(3)))
        _ = next
        let floor = report.backupHighestSequence
        let done = try #require(try await restored.reconcileAfterRestore(headOfficeAcknowledged: floor + 6, headOfficeHighest: floor + 6))
        #expect(done.renumbered == 2 && done.shift == 6 && done.acknowledgedSequence == floor + 6)
        #expect(try await restored.pendingOutboxEvents().map(\.sequence) == [floor + 7, floor + 8])
        #expect(try await restored.check().isConsistent)
        #expect(try await restored.reconcileAfterRestore(headOfficeAcknowledged: floor + 6, headOfficeHighest: floor + 6) == nil,
                "done once")
    }

    @Test("a file that is not a store database is refused")
    func notAStoreDatabase() async throws {
        let fixture = try await Fixture()
        try fixture.close()
        let text = fixture.store.directory.path("notes.txt")
        try Data("store-1 backup, honest".utf8).write(to: URL(fileURLWithPath: text))
        try await Self.expectRefusal(.notAStoreDatabase, backup: text, over: fixture, mentioning: ["not an SQLite database"])
        let other = fixture.store.directory.path("other.sqlite")
        let queue = try DatabaseQueue(path: other)
        try await queue.write { db in try db.execute(sql: "CREATE TABLE recipe (name TEXT)") }
        try queue.close()
        try await Self.expectRefusal(.notAStoreDatabase, backup: other, over: fixture, mentioning: ["not a Parcours store database"])
        try await Self.expectRefusal(.notAStoreDatabase, backup: fixture.store.directory.path("missing.sqlite"), over: fixture)
    }

    @Test("a backup that fails its integrity check is refused")
    func damaged() async throws {
        let fixture = try await Fixture()
        try fixture.close()
        // Scribble over the middle of the file, past the header: b-tree pages no longer make sense.
        let handle = try #require(FileHandle(forUpdatingAtPath: fixture.backup))
        let size = try handle.seekToEnd()
        #expect(size > 8 * 4096)
        try handle.seek(toOffset: 2 * 4096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size) - 3 * 4096))
        try handle.close()
        try await Self.expectRefusal(.backupDamaged, backup: fixture.backup, over: fixture)
    }

    @Test("a backup of another store is refused")
    func anotherStore() async throws {
        let fixture = try await Fixture()
        let lyon = try await Fixture(storeId: "lyon-02")
        try fixture.close()
        try lyon.close()
        try await Self.expectRefusal(.storeMismatch, backup: lyon.backup, over: fixture, storeId: nil, mentioning: ["lyon-02", "store-1"])
        try await Self.expectRefusal(.storeMismatch, backup: lyon.backup, over: fixture, storeId: "store-1")
    }

    @Test("a backup from a newer schema is refused")
    func newerSchema() async throws {
        let fixture = try await Fixture()
        try fixture.close()
        let queue = try DatabaseQueue(path: fixture.backup)
        try await queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
        try queue.close()
        try await Self.expectRefusal(.schemaTooNew, backup: fixture.backup, over: fixture, mentioning: ["v99"])
    }

    @Test("a restore is refused while the database is open, in this process or another")
    func whileRunning() async throws {
        let fixture = try await Fixture()
        // Still open: the store's own pool, as the running service holds it.
        let error = await #expect(throws: StoreError.self) {
            _ = try await StoreDatabase.restore(backup: fixture.backup, over: fixture.path, storeId: "store-1")
        }
        #expect(error?.code == .databaseInUse)
        #expect(error?.message.contains("stop it first") == true)
        // Only reading counts too (a `parcours profile show` next to it).
        try fixture.close()
        let reader = try DatabasePool(path: fixture.path)
        _ = try await reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM purchase") }
        try await Self.expectRefusal(.databaseInUse, backup: fixture.backup, over: fixture)
        try reader.close()
        let report = try await StoreDatabase.restore(backup: fixture.backup, over: fixture.path, storeId: "store-1")
        #expect(report.safetyCopy != nil, "closed: the restore goes ahead")
    }

    @Test("a backup made by the previous schema is migrated on restore")
    func olderBackup() async throws {
        let fixture = try await Fixture()
        try fixture.close()
        let old = fixture.store.directory.path("previous-release.sqlite")
        try PreviousRelease.makeDatabase(at: old, storeId: "store-1")
        let report = try await StoreDatabase.restore(backup: old, over: fixture.path, storeId: "store-1")
        #expect(report.migrationsRun == [StoreMigrations.names.last!])
        let restored = try await StoreDatabase.open(path: fixture.path, options: .init(storeId: "store-1"))
        #expect(try await restored.check().isConsistent)
        #expect(try await restored.findProfiles(.email("marie@example.com")).count == 1)
    }
}
