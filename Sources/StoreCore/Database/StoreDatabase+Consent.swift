import Foundation
import GRDB

extension StoreDatabase {
    /// Records a consent decision. History is kept: this appends a row, it never edits one.
    @discardableResult
    public func setConsent(profileId: String, purpose: ConsentPurpose, granted: Bool, source: RecordOrigin,
                           at: Date = Date()) async throws -> Consent {
        let profileId = try RecordID.normalized(profileId, what: "profileId")
        let at = at.storeTruncated
        return try await write { db in
            _ = try Self.liveProfile(db, id: profileId)
            let consent = Consent(id: UUIDv7.string(at: at), profileId: profileId, purpose: purpose, granted: granted,
                                  at: at, source: source)
            try consent.insert(db)
            try db.appendOutboxEvent(.consentChanged, storeId: self.storeId, payload: consent, at: at)
            return consent
        }
    }

    /// The current decision for each purpose that was ever asked: the latest row per purpose.
    public func consents(profileId: String) async throws -> [Consent] {
        let profileId = try RecordID.normalized(profileId, what: "profileId")
        return try await read { db in try Self.currentConsents(db, profileId: profileId) }
    }

    /// The whole history, oldest first.
    public func consentHistory(profileId: String) async throws -> [Consent] {
        let profileId = try RecordID.normalized(profileId, what: "profileId")
        return try await read { db in
            try Consent.filter(Column("profileId") == profileId).order(Column("at"), Column("rowid")).fetchAll(db)
        }
    }

    static func currentConsents(_ db: Database, profileId: String) throws -> [Consent] {
        let history = try Consent.filter(Column("profileId") == profileId).order(Column("at"), Column("rowid")).fetchAll(db)
        var latest: [ConsentPurpose: Consent] = [:]
        for consent in history { latest[consent.purpose] = consent }
        return ConsentPurpose.allCases.compactMap { latest[$0] }
    }
}
