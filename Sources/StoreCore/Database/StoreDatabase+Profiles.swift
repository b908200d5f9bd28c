import Foundation
import GRDB

/// Everything staff see about a profile.
public struct ProfileDetails: Sendable, Hashable, Codable {
    public var profile: Profile
    public var balance: Int64
    /// Computed for the rolling window now, which may differ from the cached `profile.tier`.
    public var tier: String
    public var rollingPoints: Int64
    public var identifiers: [Identifier]
    public var consents: [Consent]
    public var visitCount: Int
    public var lastVisitAt: Date?
    /// The latest ledger entries, newest first (at most 20).
    public var recentLedger: [LedgerEntry]
}

public enum ProfileQuery: Sendable, Hashable {
    case email(String)
    case phone(String)
    /// Each word must start the first or the last name (case-insensitive).
    case name(String)
}

extension StoreDatabase {
    public func profile(id: String, at: Date = Date()) async throws -> ProfileDetails {
        let id = try RecordID.normalized(id, what: "profile id")
        let at = at.storeTruncated
        return try await read { db in
            guard let profile = try Profile.fetchOne(db, key: id) else {
                throw StoreError(.unknownProfile, "no profile with id \(id)")
            }
            let standing = try self.standing(db, profileId: id, asOf: at)
            return ProfileDetails(
                profile: profile, balance: standing.balance, tier: standing.tier, rollingPoints: standing.rollingPoints,
                identifiers: try Identifier.filter(Column("profileId") == id).order(Column("createdAt")).fetchAll(db),
                consents: try Self.currentConsents(db, profileId: id),
                visitCount: try Visit.filter(Column("profileId") == id).fetchCount(db),
                lastVisitAt: try Date.fetchOne(db, sql: "SELECT MAX(at) FROM visit WHERE profileId = ?", arguments: [id]),
                recentLedger: try LedgerEntry.filter(Column("profileId") == id)
                    .order(Column("at").desc, Column("rowid").desc).limit(20).fetchAll(db))
        }
    }

    /// Finds live (not erased) profiles; at most 50, ordered by name.
    public func findProfiles(_ query: ProfileQuery) async throws -> [Profile] {
        switch query {
        case .email(let text):
            let key = try EmailAddress(text).lookupKey
            return try await read { db in
                try Profile.fetchAll(db, sql: """
                    SELECT profile.* FROM profile JOIN identifier ON identifier.profileId = profile.id
                    WHERE identifier.kind = 'email' AND identifier.value = ? AND profile.erasedAt IS NULL
                    """, arguments: [key])
            }
        case .phone(let text):
            let phone = try PhoneNumber(text).e164
            return try await read { db in
                try Profile.filter(Column("phone") == phone && Column("erasedAt") == nil)
                    .order(Column("firstName"), Column("lastName")).limit(50).fetchAll(db)
            }
        case .name(let text):
            let words = text.split(whereSeparator: \.isWhitespace).map(String.init).prefix(4)
            guard !words.isEmpty, words.allSatisfy({ $0.count <= 100 }) else {
                throw StoreError(.invalidArgument, "name search needs one to four words")
            }
            return try await read { db in
                var sql = "SELECT * FROM profile WHERE erasedAt IS NULL"
                var arguments = StatementArguments()
                for word in words {
                    let pattern = Self.likeEscaped(word) + "%"
                    sql += " AND (firstName LIKE ? ESCAPE '\\' OR lastName LIKE ? ESCAPE '\\')"
                    arguments += [pattern, pattern]
                }
                sql += " ORDER BY firstName COLLATE NOCASE, lastName COLLATE NOCASE LIMIT 50"
                return try Profile.fetchAll(db, sql: sql, arguments: arguments)
            }
        }
    }

    /// The balance now (or at `at`), with due expiry subtracted. Read-only.
    public func balance(profileId: String, at: Date = Date()) async throws -> Int64 {
        let profileId = try RecordID.normalized(profileId, what: "profileId")
        let at = at.storeTruncated
        return try readInPlace { db in
            guard try Profile.exists(db, key: profileId) else {
                throw StoreError(.unknownProfile, "no profile with id \(profileId)")
            }
            return try PointsLedger.balance(db, profileId: profileId, asOf: at)
        }
    }

    /// The identifier row for `(kind, value)`, if it was ever seen; `value` is normalized first (so `04:a1:…` finds
    /// `04A1…`). Read-only: unlike a tap it records nothing. For the till that scans a card to attach a sale.
    public func identifier(kind: IdentifierKind, value: String) async throws -> Identifier? {
        let value = try IdentifierValue.normalized(value, kind: kind)
        return try readOneStatementInPlace { db in
            try Identifier.fetchOne(db.cachedStatement(sql: "SELECT * FROM identifier WHERE kind = ? AND value = ?"),
                                    arguments: [kind.rawValue, value])
        }
    }

    /// Binds an identifier to a profile outside a tap: app enrollment, a loyalty card handed over at the till,
    /// an e-commerce account. Anonymous visits of the identifier join the profile.
    @discardableResult
    public func bindIdentifier(kind: IdentifierKind, value: String, profileId: String, verified: Bool,
                               publicKey: [UInt8]? = nil, at: Date = Date()) async throws -> Identifier {
        let value = try IdentifierValue.normalized(value, kind: kind)
        let profileId = try RecordID.normalized(profileId, what: "profileId")
        guard publicKey == nil || kind == .appDevice else {
            throw StoreError(.invalidArgument, "only an appDevice identifier carries a public key")
        }
        guard (publicKey?.count ?? 0) <= 1024 else {
            throw StoreError(.invalidArgument, "public key must be at most 1024 bytes, got \(publicKey?.count ?? 0)")
        }
        let at = at.storeTruncated
        return try await write { db in
            _ = try Self.liveProfile(db, id: profileId)
            var identifier: Identifier
            if let existing = try Identifier.filter(Column("kind") == kind.rawValue && Column("value") == value).fetchOne(db) {
                if let owner = existing.profileId, owner != profileId {
                    throw StoreError(.identifierAlreadyBound, "this \(kind.rawValue) already belongs to another profile")
                }
                identifier = existing
                identifier.profileId = profileId
                identifier.verified = existing.verified || verified
                if let publicKey { identifier.publicKey = Data(publicKey) }
                try identifier.update(db)
            } else {
                identifier = Identifier(id: UUIDv7.string(at: at), kind: kind, value: value, profileId: profileId,
                                        publicKey: publicKey.map { Data($0) }, verified: verified, sunCounter: nil,
                                        createdAt: at)
                try identifier.insert(db)
            }
            try db.execute(sql: "UPDATE visit SET profileId = ? WHERE identifierId = ? AND profileId IS NULL",
                           arguments: [profileId, identifier.id])
            try db.appendOutboxEvent(.identifierBound, storeId: self.storeId, payload: identifier, at: at)
            return identifier
        }
    }

    /// Erases a person's personal data (GDPR art. 17): names, email and phone are blanked, their email/phone
    /// identifiers deleted, cards unbound (so they are no longer recognized) and granted consents withdrawn. The
    /// pseudonymous profile id stays on visits, purchases and the ledger so that the books still add up.
    public func eraseProfile(id: String, at: Date = Date()) async throws {
        let id = try RecordID.normalized(id, what: "profile id")
        let at = at.storeTruncated
        try await write { db in
            try Self.erase(db, profileId: id, at: at, storeId: self.storeId)
        }
    }

    static func erase(_ db: Database, profileId id: String, at: Date, storeId: String) throws {
        var profile = try Self.liveProfile(db, id: id)
        for consent in try Self.currentConsents(db, profileId: id) where consent.granted {
            let withdrawal = Consent(id: UUIDv7.string(at: at), profileId: id, purpose: consent.purpose,
                                     granted: false, at: at, source: consent.source)
            try withdrawal.insert(db)
            try db.appendOutboxEvent(.consentChanged, storeId: storeId, payload: withdrawal, at: at)
        }
        try db.execute(sql: "DELETE FROM identifier WHERE profileId = ? AND kind IN ('email', 'phone', 'ecommerceID')",
                       arguments: [id])
        try db.execute(sql: "UPDATE identifier SET profileId = NULL WHERE profileId = ?", arguments: [id])
        try db.execute(sql: "UPDATE feedback SET comment = NULL WHERE profileId = ?", arguments: [id])
        profile.firstName = ""
        profile.lastName = nil
        profile.email = nil
        profile.phone = nil
        profile.erasedAt = at
        profile.updatedAt = at
        try profile.update(db)
        struct Erased: Encodable { var profileId: String; var erasedAt: Date }
        try db.appendOutboxEvent(.profileErased, storeId: storeId, payload: Erased(profileId: id, erasedAt: at), at: at)
    }

    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
