import Foundation
import Logging
import PostgresNIO

/// The chain's reward catalog, owned by head office once it is set here: every store receives it whole, and from
/// then on ignores the rewards of its local rules file.
public struct CatalogReward: Sendable, Hashable {
    public var id: String
    public var name: String
    public var cost: Int64
    public var active: Bool

    public init(id: String, name: String, cost: Int64, active: Bool = true) {
        self.id = id
        self.name = name
        self.cost = cost
        self.active = active
    }
}

extension HeadOfficeDatabase {
    /// Adds or changes a reward (deactivate with `active: false`; rewards are never deleted, past redemptions
    /// point at them) and sends the whole catalog to every store.
    public func setReward(_ reward: CatalogReward) async throws {
        guard (1...64).contains(reward.id.utf8.count),
              reward.id.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }) else {
            throw HeadOfficeError(.invalidArgument, "reward id: 1 to 64 characters among a-z 0-9 - _, got '\(reward.id.prefix(64))'")
        }
        let name = reward.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...80).contains(name.count) else { throw HeadOfficeError(.invalidArgument, "reward name: 1 to 80 characters") }
        guard (1...1_000_000).contains(reward.cost) else {
            throw HeadOfficeError(.invalidArgument, "reward cost must be from 1 to 1000000 points, got \(reward.cost)")
        }
        try await transaction { connection in
            try await connection.query("""
                INSERT INTO reward (id, name, cost, active) VALUES (\(reward.id), \(name), \(reward.cost), \(reward.active))
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, cost = excluded.cost, active = excluded.active
                """, logger: logger)
            try await AdvisoryLock.feed.take(on: connection, logger: logger)
            try await ChangeFeedWriter(connection: connection, logger: logger).announceRewardCatalog()
        }
    }

    public func rewards() async throws -> [CatalogReward] {
        try await read { connection in
            try await connection.query("SELECT id, name, cost, active FROM reward ORDER BY cost, id", logger: logger)
                .decode((String, String, Int64, Bool).self).gathered().map { CatalogReward(id: $0.0, name: $0.1, cost: $0.2, active: $0.3) }
        }
    }
}
