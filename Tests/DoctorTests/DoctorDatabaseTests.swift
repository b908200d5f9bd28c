import Foundation
import Testing

extension DoctorSuite {
    @Suite("database")
    struct DoctorDatabaseTests {
        @Test("a copy of the database with pages overwritten: FAIL database with quick_check's words and the restore fix")
        func corruptedDatabase() async throws {
            try await DoctorSuite.withStore { store in
                let copy = store.directory.appendingPathComponent("damaged.sqlite").path
                try FileManager.default.copyItem(atPath: store.database, toPath: copy)
                // Pages 3 to 6 (4 KiB each) are b-tree roots of store tables: garbage there is what a bad disk leaves.
                let handle = try #require(FileHandle(forWritingAtPath: copy))
                try handle.seek(toOffset: 2 * 4096)
                try handle.write(contentsOf: Data((0..<(4 * 4096)).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }))
                try handle.close()
                let original = try Data(contentsOf: URL(fileURLWithPath: store.database))

                let run = try store.doctor(["--database", copy])
                #expect(run.status == 1)
                let database = try #require(run.check("database"))
                #expect(database.line.hasPrefix("FAIL  database  \(copy)"), "\(database.line)")
                #expect(database.line.contains("malformed") || database.line.contains("quick_check found damage"), "\(database.line)")
                #expect(database.fix == "stop parcours-store, keep the damaged file aside, and restore the latest copy from /var/lib/parcours/backups (parcours db check on the copy first)")
                // The healthy file next to it is untouched and still diagnosed as healthy.
                #expect(try Data(contentsOf: URL(fileURLWithPath: store.database)) == original)
                #expect(try store.doctor().check("database")?.line.hasPrefix("ok    database  \(store.database) (") == true)
            }
        }

        @Test("a database with a schema newer than this binary: FAIL schema, fix upgrade parcours, the file unchanged")
        func newerSchema() async throws {
            try await DoctorSuite.withStore { store in
                try HeadOfficeProcess.run("/usr/bin/sqlite3", [store.database, "INSERT INTO grdb_migrations (identifier) VALUES ('v99')"])
                let before = try Data(contentsOf: URL(fileURLWithPath: store.database))
                let run = try store.doctor()
                #expect(run.status == 1)
                let schema = try #require(run.check("schema"))
                #expect(schema.line == "FAIL  schema  the file has schema migration v99, newer than this parcours knows (v1…v6)")
                #expect(schema.fix == "upgrade parcours to the version that wrote this database (never run an older binary on it)")
                #expect(run.problems == [schema.line], "\(run.output)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: store.database)) == before, "the doctor wrote to the database")
                // No -wal or -shm left behind either: as root they would lock the service out of its own file.
                #expect(!FileManager.default.fileExists(atPath: store.database + "-wal"))
                #expect(!FileManager.default.fileExists(atPath: store.database + "-shm"))
            }
        }

        @Test("no database file: FAIL database naming the path, the schema skipped")
        func missingDatabase() async throws {
            try await DoctorSuite.withStore { store in
                let missing = store.directory.appendingPathComponent("nope.sqlite").path
                let run = try store.doctor(["--database", missing])
                #expect(run.status == 1)
                #expect(run.check("database")?.line == "FAIL  database  no database file at \(missing)")
                #expect(run.check("schema")?.line == "skip  schema  no database to read")
                #expect(!FileManager.default.fileExists(atPath: missing), "the doctor created the database")
            }
        }
    }
}
