import Foundation
import Logging
import PostgresNIO
import SyncProtocol

extension HeadOfficeDatabase {
    /// The changes for one store after `cursor`, in order: those addressed to it and those for every store, of the
    /// kinds a store speaking `protocolVersion` knows (``Change/Kind/introducedIn``).
    ///
    /// A kind the store's version does not know is skipped, not queued: the cursor moves past it. So that nothing
    /// is lost for when the store upgrades, a cursor given to an older version says so (`p120v1`), and the first
    /// pull at a newer version from such a cursor starts with the latest change, at or before it, of each kind
    /// that version adds. Those kinds are whole-state (the catalog, the rules, the store's settings), so the
    /// latest one is everything the store missed.
    public func changes(forStore storeId: String, after cursor: String?, limit: Int = 500,
                        protocolVersion: Int = SyncProtocolVersion.current) async throws -> ChangePage {
        guard SyncProtocolVersion.accepted.contains(protocolVersion) else {
            throw HeadOfficeError(.invalidArgument, SyncProtocolVersion.refusal(protocolVersion))
        }
        let (position, cursorVersion) = try Self.position(of: cursor)
        let limit = min(max(limit, 1), ChangePage.maximumLimit)
        let kinds = Set(Change.Kind.known(atVersion: protocolVersion).map(\.rawValue))
        let missed = Change.Kind.allCases
            .filter { $0.introducedIn > cursorVersion && $0.introducedIn <= protocolVersion }.map(\.rawValue)
        return try await read { connection in
            var rows: [(Int64, String, String)] = []
            if !missed.isEmpty && position > 0 {
                rows = try await connection.query("""
                    SELECT DISTINCT ON (kind) position, kind, body::text FROM change
                    WHERE (store_id = \(storeId) OR store_id IS NULL) AND position <= \(position) AND kind = ANY(\(missed)::text[])
                    ORDER BY kind, position DESC
                    """, logger: logger).decode((Int64, String, String).self).gathered().sorted { $0.0 < $1.0 }
            }
            let caughtUp = rows.count
            // Every kind is read, and those the version does not know are left out here, so that the cursor moves
            // past them even when nothing the store knows follows.
            rows += try await connection.query("""
                SELECT position, kind, body::text FROM change
                WHERE (store_id = \(storeId) OR store_id IS NULL) AND position > \(position)
                ORDER BY position LIMIT \(limit + 1)
                """, logger: logger).decode((Int64, String, String).self).gathered()
            let page = rows.prefix(caughtUp + limit)
            var changes: [Change] = []
            let decoder = JSONDecoder()
            for (position, kind, body) in page {
                guard kinds.contains(kind), let kind = Change.Kind(rawValue: kind) else { continue }
                var change = Change(position: position, kind: kind)
                let data = Data(body.utf8)
                switch kind {
                case .profile: change.profile = try decoder.decode(ProfileChange.self, from: data)
                case .identifier: change.identifier = try decoder.decode(IdentifierChange.self, from: data)
                case .ledgerEntry: change.ledgerEntry = try decoder.decode(LedgerEntryChange.self, from: data)
                case .consent: change.consent = try decoder.decode(ConsentChange.self, from: data)
                case .merge: change.merge = try decoder.decode(MergeChange.self, from: data)
                case .erasure: change.erasure = try decoder.decode(ErasureChange.self, from: data)
                case .rewardCatalog: change.rewards = try decoder.decode(RewardCatalogBody.self, from: data).rewards
                case .loyaltyRules: change.loyaltyRules = try decoder.decode(LoyaltyRulesChange.self, from: data)
                case .storeSettings: change.storeSettings = try decoder.decode(StoreSettingsChange.self, from: data)
                }
                changes.append(change)
            }
            let last = max(position, page.last?.0 ?? position)
            return ChangePage(changes: changes, cursor: Self.cursor(last, version: protocolVersion),
                              hasMore: rows.count > caughtUp + limit)
        }
    }

    /// `p<position>`, with `v<version>` after it when the store's version is older than the current one.
    static func cursor(_ position: Int64, version: Int) -> String {
        version >= SyncProtocolVersion.current ? "p\(position)" : "p\(position)v\(version)"
    }

    /// The position a cursor stands for, and the protocol version it was given to. Cursors without a version are
    /// the current version's, and so are those of head offices before version 2 (which sent every kind it had).
    static func position(of cursor: String?) throws -> (position: Int64, version: Int) {
        guard let cursor, !cursor.isEmpty else { return (0, SyncProtocolVersion.current) }
        let parts = cursor.dropFirst().split(separator: "v", maxSplits: 1, omittingEmptySubsequences: false)
        guard cursor.hasPrefix("p"), let value = parts.first.flatMap({ Int64($0) }), value >= 0,
              parts.count == 1 || parts.count == 2 && Int(parts[1]).map({ SyncProtocolVersion.accepted.contains($0) }) == true else {
            throw HeadOfficeError(.invalidArgument, "after: '\(cursor.prefix(40))' is not a cursor this head office issued")
        }
        return (value, parts.count == 2 ? Int(parts[1])! : SyncProtocolVersion.current)
    }
}

private struct RewardCatalogBody: Decodable {
    var rewards: [RewardChange]
}
