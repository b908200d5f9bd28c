import Foundation
import GRDB

/// What the first contact with head office after a restore changed.
public struct RestoreReconciliation: Sendable, Hashable {
    /// Events written since the restore, given new sequence numbers after head office's highest.
    public var renumbered: Int
    /// How far they moved (0 when head office held nothing beyond the backup).
    public var shift: Int64
    /// The store's acknowledged sequence afterwards: head office's.
    public var acknowledgedSequence: Int64
}

extension StoreDatabase {
    /// The highest sequence the restored backup had issued, while the store has not yet learnt where head office
    /// stands for it; nil when the file was not restored or that is done.
    public func restoredThroughSequence() async throws -> Int64? {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT restoredThroughSequence FROM syncState WHERE id = 1") }
    }

    /// After a restore, makes the outbox agree with what head office already holds, so that sync resumes without
    /// duplicates or conflicts. The sync engine calls it with head office's answer to an empty batch, before its
    /// first push.
    ///
    /// A restored file is behind head office: events issued after the backup may be there already, under
    /// sequences the restored store would issue again for new, different events (head office refuses those with
    /// a 409). So, in one transaction:
    /// - events up to head office's acknowledged sequence are acknowledged here and pruned (those from the backup
    ///   are the very events head office has, same ids and bytes; the later ones are no longer in this file);
    /// - when head office holds sequences beyond the backup's last, the events written since the restore are
    ///   renumbered to follow head office's highest, keeping their ids, types, payloads and order. This is the one
    ///   place outbox rows change: they are deleted and inserted again (the immutability trigger forbids updates),
    ///   before any of them has left the store, so head office never sees the old numbers.
    /// - the restore mark is cleared. A second engine arriving later finds it cleared and changes nothing.
    @discardableResult
    public func reconcileAfterRestore(headOfficeAcknowledged: Int64, headOfficeHighest: Int64,
                                      at: Date = Date()) async throws -> RestoreReconciliation? {
        let at = at.storeTruncated
        return try await write { db in
            guard let floor = try Int64.fetchOne(db, sql: "SELECT restoredThroughSequence FROM syncState WHERE id = 1") else {
                return nil
            }
            let headOffice = max(headOfficeAcknowledged, headOfficeHighest)
            var renumbered = 0, shift: Int64 = 0
            if headOffice > floor {
                shift = headOffice - floor
                let later = try OutboxEvent.filter(Column("sequence") > floor).order(Column("sequence")).fetchAll(db)
                try db.execute(sql: "DELETE FROM outbox WHERE sequence > ?", arguments: [floor])
                for var event in later {
                    event.sequence += shift
                    try event.insertRow(db)
                }
                renumbered = later.count
            }
            let acknowledged = try Int64.fetchOne(db, sql: "SELECT acknowledgedSequence FROM syncState WHERE id = 1") ?? 0
            let newAcknowledged = max(acknowledged, headOfficeAcknowledged)
            try db.execute(sql: """
                UPDATE syncState SET acknowledgedSequence = ?, restoredThroughSequence = NULL, updatedAt = ? WHERE id = 1
                """, arguments: [newAcknowledged, at])
            // Head office holds these: pruned as the engine prunes, and here at once because the renumbering may have
            // left a hole between them and the renumbered events, which `db check` would report.
            try db.execute(sql: "DELETE FROM outbox WHERE sequence <= ?", arguments: [newAcknowledged])
            return RestoreReconciliation(renumbered: renumbered, shift: shift, acknowledgedSequence: newAcknowledged)
        }
    }
}
