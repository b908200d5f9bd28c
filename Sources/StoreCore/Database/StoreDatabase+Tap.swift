import Foundation
import GRDB
import Logging

extension StoreDatabase {
    /// Turns a tap into a visit.
    ///
    /// - The identifiers are looked up (and created, anonymous, when first seen). A SUN tag whose counter did not
    ///   grow is a replay and is ignored; a tap with nothing else is refused (`replayedTap`).
    /// - The strongest identifier that belongs to a profile wins (order on ``IdentifierKind/strength``). If another
    ///   identifier of the same tap belongs to a different profile, an ``IdentityConflict`` is recorded (ids and
    ///   kinds only) and nothing is merged: a person decides.
    /// - Taps of the same profile (or, anonymous, of the same identifier) at this store within the visit window
    ///   fold into one visit.
    /// - A new visit of a known profile earns the visit bonus unless one was earned within the cooldown.
    public func recordTap(_ tap: Tap) async throws -> VisitOutcome {
        let presented = try tap.identifiers.normalized()
        guard !presented.isEmpty else {
            throw StoreError(.invalidArgument, "a tap must carry at least one identifier")
        }
        let deviceId = try TextField.token(tap.deviceId, field: "deviceId")
        let reader = try TextField.name(tap.reader, field: "reader", maximumLength: 200)
        let at = tap.at.storeTruncated
        let sunCounter = tap.identifiers.sunTag.map { Int64($0.counter) }

        let outcome = try await write { db in
            try self.recordTap(db, presented: presented, sunCounter: sunCounter, deviceId: deviceId, reader: reader, at: at)
        }
        if let conflict = outcome.conflict {
            // Ids and kinds only: no identifier values or names in logs.
            logger.warning("tap identifiers point at different profiles", metadata: [
                "visit": "\(outcome.visit.id)", "chosenProfile": "\(conflict.chosenProfileId)",
                "chosenKind": "\(conflict.chosenKind.rawValue)",
                "others": "\(conflict.others.map { "\($0.kind.rawValue):\($0.profileId)" }.joined(separator: ","))",
            ])
        }
        if !outcome.rejectedProofs.isEmpty {
            logger.warning("tap proof rejected", metadata: [
                "visit": "\(outcome.visit.id)", "kinds": "\(outcome.rejectedProofs.map(\.rawValue).joined(separator: ","))",
            ])
        }
        return outcome
    }

    private func recordTap(_ db: Database, presented: [(kind: IdentifierKind, value: String)], sunCounter: Int64?,
                           deviceId: String, reader: String, at: Date) throws -> VisitOutcome {
        // 1. Find or create each identifier; drop replayed SUN proofs.
        var accepted: [Identifier] = []
        var rejected: [IdentifierKind] = []
        for (kind, value) in presented {
            if var identifier = try Identifier.fetchOne(db.cachedStatement(sql: "SELECT * FROM identifier WHERE kind = ? AND value = ?"),
                                                        arguments: [kind.rawValue, value]) {
                if kind == .sunTag, let counter = sunCounter {
                    if let last = identifier.sunCounter, counter <= last {
                        rejected.append(kind)
                        continue
                    }
                    identifier.sunCounter = counter
                    try identifier.update(db, columns: ["sunCounter"])
                }
                accepted.append(identifier)
            } else {
                let identifier = Identifier(
                    id: UUIDv7.string(at: at), kind: kind, value: value, profileId: nil, publicKey: nil,
                    verified: kind.isCryptographicProof, sunCounter: kind == .sunTag ? sunCounter : nil, createdAt: at)
                try identifier.insertRow(db)
                // Head office links this store's identifier id to its value, so anonymous visits can be attributed
                // once anyone, anywhere, binds the card.
                try db.appendOutboxEvent(.identifierSeen, storeId: storeId, payload: identifier, at: at)
                accepted.append(identifier)
            }
        }
        guard let strongest = accepted.first else {
            throw StoreError(.replayedTap, "the SUN tag's counter did not increase: this tap replays an earlier one")
        }

        // 2. The strongest identifier that belongs to a live profile decides.
        var matches: [(identifier: Identifier, profile: Profile)] = []
        for identifier in accepted {
            if let profileId = identifier.profileId,
               let profile = try Profile.fetchOne(db.cachedStatement(sql: "SELECT * FROM profile WHERE id = ?"), arguments: [profileId]),
               !profile.isErased {
                matches.append((identifier, profile))
            }
        }
        let chosen = matches.first
        let visitIdentifier = chosen?.identifier ?? strongest

        // 3. One visit per window.
        let windowStart = StoreDate.text(at.addingTimeInterval(-rules.visitWindow))
        let existing: Visit?
        if let profile = chosen?.profile {
            existing = try Visit.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM visit WHERE profileId = ? AND storeId = ? AND at > ? AND at <= ? ORDER BY at DESC LIMIT 1
                """), arguments: [profile.id, storeId, windowStart, StoreDate.text(at)])
        } else {
            existing = try Visit.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM visit WHERE identifierId = ? AND profileId IS NULL AND storeId = ? AND at > ? AND at <= ?
                ORDER BY at DESC LIMIT 1
                """), arguments: [strongest.id, storeId, windowStart, StoreDate.text(at)])
        }
        let visit: Visit
        if let existing {
            visit = existing
        } else {
            visit = Visit(id: UUIDv7.string(at: at), storeId: storeId, deviceId: deviceId, reader: reader,
                          identifierId: visitIdentifier.id, profileId: chosen?.profile.id, at: at)
            try visit.insertRow(db)
            try db.appendOutboxEvent(.visitRecorded, storeId: storeId, payload: visit, at: at)
        }

        // 4. Conflicts are recorded once per visit.
        var conflict: IdentityConflict?
        if let chosen {
            let others = matches.dropFirst().filter { $0.profile.id != chosen.profile.id }
                .map { ConflictingMatch(profileId: $0.profile.id, kind: $0.identifier.kind) }
            if !others.isEmpty {
                if let recorded = try IdentityConflict.fetchOne(db.cachedStatement(sql: "SELECT * FROM identityConflict WHERE visitId = ?"),
                                                                arguments: [visit.id]) {
                    conflict = recorded
                } else {
                    let record = IdentityConflict(id: UUIDv7.string(at: at), visitId: visit.id,
                                                  chosenProfileId: chosen.profile.id, chosenKind: chosen.identifier.kind,
                                                  others: others, at: at)
                    try record.insert(db)
                    try db.appendOutboxEvent(.identityConflict, storeId: storeId, payload: record, at: at)
                    conflict = record
                }
            }
        }

        // 5. Visit bonus and greeting.
        guard let profile = chosen?.profile else {
            return VisitOutcome(visit: visit, isNewVisit: existing == nil, greeting: nil, recognizedBy: nil,
                                visitBonus: 0, conflict: conflict, rejectedProofs: rejected)
        }
        var bonus: Int64 = 0
        // The summary read for the cooldown is still current for the standing unless a bonus is written.
        var summary: PointsLedger.Summary?
        if existing == nil, rules.visitBonus > 0 {
            let read = try PointsLedger.summary(db, profileId: profile.id, asOf: at, tierMonths: rules.tierWindowMonths)
            summary = read
            if read.lastVisitBonus.map({ at.timeIntervalSince($0) >= rules.visitBonusCooldown }) ?? true {
                try PointsLedger.append(db, profileId: profile.id, delta: rules.visitBonus, reason: .visitBonus,
                                        reference: visit.id, at: at, expiresAt: rules.expiry(ofPointsEarnedAt: at),
                                        storeId: storeId)
                bonus = rules.visitBonus
                summary = nil
            }
        }
        let standing = try settleStanding(db, profile: profile, asOf: at, summary: summary)
        let greeting = Greeting(profileId: profile.id, firstName: profile.firstName, language: profile.language,
                                points: standing.balance, tier: standing.tier,
                                affordableRewards: try Self.affordableRewards(db, balance: standing.balance))
        return VisitOutcome(visit: visit, isNewVisit: existing == nil, greeting: greeting,
                            recognizedBy: chosen?.identifier.kind, visitBonus: bonus, conflict: conflict,
                            rejectedProofs: rejected)
    }
}
