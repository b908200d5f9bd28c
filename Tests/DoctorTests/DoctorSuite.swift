import Foundation
import Testing

/// `parcours doctor` run as the real binary against real parts: the rig's pcscd and readers, SQLite files, a real
/// head-office node on the project's PostgreSQL, and certificates made here. One serialized parent: the tests share
/// the rig's readers (run them under `flock /tmp/parcours-rig.lock`, as every rig user does).
@Suite("parcours doctor", .serialized)
enum DoctorSuite {
    /// A healthy store (every rig reader bound to an enrolled device), removed afterwards.
    static func withStore<T>(_ body: (StoreFixture) async throws -> T) async throws -> T {
        let fixture = try StoreFixture.make(readers: try await StoreFixture.rigReaders())
        defer { fixture.remove() }
        return try await body(fixture)
    }
}
