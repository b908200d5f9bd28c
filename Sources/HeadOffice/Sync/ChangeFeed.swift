import Foundation
import Logging
import PostgresNIO
import SyncProtocol

extension HeadOfficeDatabase {
    /// The changes for one store after `cursor`, in order: those addressed to it and those for every store.
    public func changes(forStore storeId: String, after cursor: String?, limit: Int = 500) async throws -> ChangePage {
        let position = try Self.position(of: cursor)
        let limit = min(max(limit, 1), ChangePage.maximumLimit)
        return try await read { connection in
            let rows = try await connection.query("""
                SELECT position, kind, body::text FROM change
                WHERE (store_id = \(storeId) OR store_id IS NULL) AND position > \(position)
                ORDER BY position LIMIT \(limit + 1)
                """, logger: logger).decode((Int64, String, String).self).gathered()
            var changes: [Change] = []
            let decoder = JSONDecoder()
            for (position, kind, body) in rows.prefix(limit) {
                guard let kind = Change.Kind(rawValue: kind) else { continue }
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
            let last = rows.prefix(limit).last?.0 ?? position
            return ChangePage(changes: changes, cursor: "p\(last)", hasMore: rows.count > limit)
        }
    }

    static func position(of cursor: String?) throws -> Int64 {
        guard let cursor, !cursor.isEmpty else { return 0 }
        guard cursor.hasPrefix("p"), let value = Int64(cursor.dropFirst()), value >= 0 else {
            throw HeadOfficeError(.invalidArgument, "after: '\(cursor.prefix(40))' is not a cursor this head office issued")
        }
        return value
    }
}

private struct RewardCatalogBody: Decodable {
    var rewards: [RewardChange]
}
