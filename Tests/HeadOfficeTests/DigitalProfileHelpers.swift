import Foundation
import HeadOffice

/// Files for the import tests, and the counts that say whether a re-run changed anything.
enum DigitalFixtures {
    /// Writes `text` to a fresh temporary file named `name` and returns its path.
    static func file(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-digital-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// A 29-character Payment Account Reference ending in `suffix`.
    static func par(_ suffix: String) -> String {
        "V" + String(repeating: "0", count: 28 - suffix.count) + suffix
    }

    static func state(_ hq: HeadOfficeDatabase) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in ["profile", "identifier", "consent", "touchpoint", "change", "profile_merge"] {
            counts[table] = try await hq.count("SELECT count(*)::bigint FROM \(table)")
        }
        return counts
    }
}
