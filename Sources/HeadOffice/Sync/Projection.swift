import Foundation
import Logging
import PostgresNIO

/// The part of applying a contiguous run of one store's events, (after, through], that `hq_project` (migration v10)
/// leaves to Swift, because it builds the changes feed with `ChangeFeedWriter`.
///
/// `hq_project` applies profiles, identifiers first seen at a tap, identifier bindings, facts (one set-based
/// statement per type), overdraft flags and the fan-out of the run to other stores. Identity is applied event by
/// event in sequence order, because each decision depends on the one before; when it meets a merge or an erasure it
/// stops there, and ``finish(identityFrom:)`` applies the run from that event on, here, in the same order.
struct Projection {
    let connection: PostgresConnection
    let storeId: String
    let after: Int64
    let through: Int64
    let logger: Logger

    /// The profiles this store has just met get their profile, identifiers, other stores' ledger entries and
    /// consents through the feed. (hq_project holds the feed lock when it answers some.)
    func backfill(_ newlySeen: [UUID]) async throws {
        let writer = ChangeFeedWriter(connection: connection, logger: logger)
        for profileId in newlySeen {
            try await writer.backfill(profileId: profileId, toStore: storeId)
        }
    }

    /// The rest of a run whose identity loop `hq_project` stopped at `identityFrom`: identity from there, then
    /// facts, and the feed (merges, newly met profiles, fan-out, erasures) under the feed lock, taken last.
    func finish(identityFrom: Int64) async throws {
        let identity = try await identityEvents(from: identityFrom)
        let touched = try await connection.query("""
            SELECT hq_apply_facts(\(storeId), \(after), \(through))
            """, logger: logger).decode([UUID].self).gathered().first ?? []
        // A run that touched no known person changes nothing any store must learn, and leaves the feed lock to others.
        guard !touched.isEmpty || !identity.merges.isEmpty || !identity.erased.isEmpty else { return }
        try await AdvisoryLock.feed.take(on: connection, logger: logger)
        let writer = ChangeFeedWriter(connection: connection, logger: logger)
        for merge in identity.merges {
            for store in merge.newlyKnownBy {
                try await writer.backfill(profileId: merge.survivorId, toStore: store)
            }
            try await writer.announce(merge)
        }
        let ids = touched.map { $0.uuidString.lowercased() }
        let newlySeen = try await connection.query("""
            SELECT hq_mark_seen(\(storeId), \(ids)::text[]::uuid[])
            """, logger: logger).decode([UUID].self).gathered().first ?? []
        try await backfill(newlySeen)
        try await connection.query("SELECT hq_fan_out(\(storeId), \(after), \(through))", logger: logger)
        for profileId in identity.erased {
            try await writer.announceErasure(of: profileId)
        }
    }

    private func identityEvents(from first: Int64) async throws -> (merges: [MergeOutcome], erased: [UUID]) {
        let rows = try await connection.query("""
            SELECT type, payload::text FROM store_event
            WHERE store_id = \(storeId) AND sequence >= \(first) AND sequence <= \(through)
              AND type IN ('identifier.bound', 'profile.erased') AND NOT (type = 'identifier.bound' AND payload ? 'erased')
            ORDER BY sequence
            """, logger: logger).decode((String, String).self).gathered()
        guard !rows.isEmpty else { return ([], []) }
        try await AdvisoryLock.identity.take(on: connection, logger: logger)
        let resolver = IdentityResolver(connection: connection, logger: logger)
        var merges: [MergeOutcome] = []
        var erased: [UUID] = []
        let decoder = JSONDecoder()
        for (type, payload) in rows {
            switch type {
            case "profile.erased":
                let event = try decoder.decode(ErasedPayload.self, from: Data(payload.utf8))
                if let survivor = try await resolver.erase(profileId: event.profileId, source: "store \(storeId)") {
                    erased.append(survivor)
                }
            default:
                let event = try decoder.decode(IdentifierPayload.self, from: Data(payload.utf8))
                merges += try await resolver.record(event, fromStore: storeId)
            }
        }
        return (merges, erased)
    }
}

struct ErasedPayload: Decodable {
    var profileId: UUID
}

struct IdentifierPayload: Decodable {
    var id: UUID
    var kind: String
    var value: String
    var profileId: UUID?
    var publicKey: String?
    var verified: Bool?
    var createdAt: String?
}
