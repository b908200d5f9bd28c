import Foundation
import GRDB

/// A change from head office's feed, in the store's terms. The sync engine turns the wire form into these.
public enum HeadOfficeChange: Sendable, Hashable {
    case profile(id: String, firstName: String, lastName: String?, email: String?, phone: String?, language: String,
                 createdAt: Date, updatedAt: Date)
    case identifier(kind: IdentifierKind, value: String, profileId: String, verified: Bool, publicKey: Data?, revoked: Bool)
    case ledgerEntry(id: String, profileId: String, delta: Int64, reason: LedgerReason, reference: String?, at: Date, expiresAt: Date?)
    case consent(id: String, profileId: String, purpose: ConsentPurpose, granted: Bool, at: Date)
    case merge(aliasId: String, survivorId: String)
    case erasure(profileId: String, at: Date)
    case rewardCatalog([Reward])
    /// The chain's earning rules; their reward list is ignored (the catalog travels as `rewardCatalog`).
    case loyaltyRules(LoyaltyRules)
    /// How far below zero this store may take a customer's balance while head office is unreachable.
    case storeSettings(redemptionAllowance: Int64)
}

extension StoreDatabase {
    /// Applies a page of head office's changes and moves the inbound cursor, in one transaction: a crash leaves
    /// either the whole page applied and the cursor past it, or neither. Every change is idempotent, so a page
    /// applied twice (the cursor write lost, the page fetched again) has the effect of applying it once.
    ///
    /// These writes came from head office: they add no outbox events, except an erasure, whose confirmation is
    /// harmless to send back.
    public func applyHeadOfficeChanges(_ changes: [HeadOfficeChange], cursor: String, at: Date = Date()) async throws {
        guard cursor.count <= 1024 else { throw StoreError(.invalidArgument, "inbound cursor must be at most 1024 characters") }
        let at = at.storeTruncated
        try await write { db in
            for change in changes {
                try self.apply(change, db, at: at)
            }
            // A page applied is head office answering: the store is online as of now.
            try db.execute(sql: "UPDATE syncState SET inboundCursor = ?, updatedAt = ?, headOfficeAnsweredAt = ? WHERE id = 1",
                           arguments: [cursor, StoreDate.text(at), StoreDate.text(at)])
        }
    }

    /// What head office last told this store: its offline allowance and when it last answered.
    public func headOfficeStanding() async throws -> HeadOfficeStanding {
        try await read { db in try Self.headOfficeStanding(db) }
    }

    static func headOfficeStanding(_ db: Database) throws -> HeadOfficeStanding {
        let row = try Row.fetchOne(db, sql: """
            SELECT redemptionAllowance, headOfficeAnsweredAt, loyaltyRulesFromHeadOffice IS NOT NULL, rewardsFromHeadOffice
            FROM syncState WHERE id = 1
            """)
        return HeadOfficeStanding(redemptionAllowance: row?[0] ?? 0, lastAnsweredAt: row?[1],
                                  rulesFromHeadOffice: row?[2] ?? false, rewardsFromHeadOffice: row?[3] ?? false)
    }

    private func apply(_ change: HeadOfficeChange, _ db: Database, at: Date) throws {
        switch change {
        case let .profile(id, firstName, lastName, email, phone, language, createdAt, updatedAt):
            let id = try RecordID.normalized(id, what: "profile id")
            if var existing = try Profile.fetchOne(db, key: id) {
                guard !existing.isErased, updatedAt >= existing.updatedAt else { return }
                existing.firstName = firstName
                existing.lastName = lastName
                existing.email = email
                existing.phone = phone
                existing.language = language
                existing.updatedAt = updatedAt.storeTruncated
                try existing.update(db)
            } else {
                let profile = Profile(id: id, firstName: firstName, lastName: lastName, email: email, phone: phone,
                                      language: language, tier: rules.tiers[0].name, createdAt: createdAt.storeTruncated,
                                      updatedAt: updatedAt.storeTruncated, origin: .headOffice, erasedAt: nil)
                try profile.insert(db)
            }
        case let .identifier(kind, value, profileId, verified, publicKey, revoked):
            let owner = try Self.survivor(db, of: profileId)
            let profileExists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM profile WHERE id = ? AND erasedAt IS NULL)",
                                                  arguments: [owner]) ?? false
            let boundTo: String? = revoked || !profileExists ? nil : owner
            if var identifier = try Identifier.fetchOne(db, sql: "SELECT * FROM identifier WHERE kind = ? AND value = ?",
                                                        arguments: [kind.rawValue, value]) {
                identifier.profileId = boundTo
                identifier.verified = identifier.verified || verified
                if let publicKey { identifier.publicKey = publicKey }
                try identifier.update(db)
            } else if boundTo != nil {
                try Identifier(id: UUIDv7.string(at: at), kind: kind, value: value, profileId: boundTo, publicKey: publicKey,
                               verified: verified, sunCounter: nil, createdAt: at).insert(db)
            }
        case let .ledgerEntry(id, profileId, delta, reason, reference, entryAt, expiresAt):
            let owner = try Self.survivor(db, of: profileId)
            guard try Profile.fetchOne(db, key: owner) != nil else { return }
            try db.execute(sql: """
                INSERT INTO ledgerEntry (id, profileId, delta, reason, reference, at, expiresAt) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO NOTHING
                """, arguments: [id.lowercased(), owner, delta, reason.rawValue, reference, StoreDate.text(entryAt),
                                 expiresAt.map(StoreDate.text)])
        case let .consent(id, profileId, purpose, granted, consentAt):
            let owner = try Self.survivor(db, of: profileId)
            guard try Profile.fetchOne(db, key: owner) != nil else { return }
            try db.execute(sql: """
                INSERT INTO consent (id, profileId, purpose, granted, at, source) VALUES (?, ?, ?, ?, ?, 'headOffice')
                ON CONFLICT (id) DO NOTHING
                """, arguments: [id.lowercased(), owner, purpose.rawValue, granted, StoreDate.text(consentAt)])
        case let .merge(aliasId, survivorId):
            try merge(db, alias: aliasId.lowercased(), into: try Self.survivor(db, of: survivorId), at: at)
        case let .erasure(profileId, erasedAt):
            let owner = try Self.survivor(db, of: profileId)
            guard let profile = try Profile.fetchOne(db, key: owner), !profile.isErased else { return }
            try Self.erase(db, profileId: owner, at: max(erasedAt.storeTruncated, profile.updatedAt), storeId: storeId)
        case let .rewardCatalog(rewards):
            // Rewards are deactivated, never deleted: past redemptions point at them.
            try db.execute(sql: "UPDATE reward SET active = 0")
            for reward in rewards {
                try reward.upsert(db)
            }
            try db.execute(sql: "UPDATE syncState SET rewardsFromHeadOffice = 1 WHERE id = 1")
        case let .loyaltyRules(received):
            let rules = try received.replacingRewards(with: options.rules.rewards)
            try db.execute(sql: "UPDATE syncState SET loyaltyRulesFromHeadOffice = ? WHERE id = 1",
                           arguments: [String(decoding: try rules.json(), as: UTF8.self)])
            // In force from the next write on: after this commit, on the writer's queue, before any other write.
            let live = liveRules
            db.afterNextTransaction { _ in live.replace(with: rules) }
        case let .storeSettings(allowance):
            guard allowance >= 0 else { throw StoreError(.invalidArgument, "redemptionAllowance must be ≥ 0, got \(allowance)") }
            try db.execute(sql: "UPDATE syncState SET redemptionAllowance = ? WHERE id = 1", arguments: [allowance])
        }
    }

    /// The profile an id now answers for: itself, or the survivor it was merged into.
    static func survivor(_ db: Database, of id: String) throws -> String {
        var current = id.lowercased()
        for _ in 0..<8 {
            guard let next = try String.fetchOne(db, sql: "SELECT mergedInto FROM profile WHERE id = ?", arguments: [current]) else { break }
            current = next
        }
        return current
    }

    /// Moves the alias's history to the survivor and clears the alias, which from now on only redirects.
    private func merge(_ db: Database, alias: String, into survivor: String, at: Date) throws {
        guard alias != survivor, try Profile.fetchOne(db, key: survivor) != nil else { return }
        guard let aliasProfile = try Profile.fetchOne(db, key: alias) else { return }
        for table in ["visit", "purchase", "ledgerEntry", "redemption", "feedback", "consent", "identifier"] {
            try db.execute(sql: "UPDATE \(table) SET profileId = ? WHERE profileId = ?", arguments: [survivor, alias])
        }
        try db.execute(sql: "UPDATE identityConflict SET chosenProfileId = ? WHERE chosenProfileId = ?", arguments: [survivor, alias])
        try db.execute(sql: "UPDATE profile SET mergedInto = ? WHERE mergedInto = ?", arguments: [survivor, alias])
        try db.execute(sql: """
            UPDATE profile SET mergedInto = ?, firstName = '', lastName = NULL, email = NULL, phone = NULL, updatedAt = ?
            WHERE id = ?
            """, arguments: [survivor, StoreDate.text(max(at, aliasProfile.updatedAt)), alias])
    }
}

/// The store's standing with head office, for redemptions and `/health`.
public struct HeadOfficeStanding: Sendable, Hashable {
    public var redemptionAllowance: Int64
    /// When head office last answered a pull; nil if it never has.
    public var lastAnsweredAt: Date?
    public var rulesFromHeadOffice: Bool
    public var rewardsFromHeadOffice: Bool

    /// Whether head office counts as unreachable at `date`: silent for longer than `offlineAfter`, or never heard.
    public func isOffline(at date: Date, offlineAfter: TimeInterval) -> Bool {
        guard let lastAnsweredAt else { return true }
        return date.timeIntervalSince(lastAnsweredAt) > offlineAfter
    }
}
