import Foundation
import GRDB

public enum PINVerification: Sendable, Hashable {
    case accepted(StaffMember)
    /// Wrong PIN; this many tries are left before the lockout.
    case rejected(remainingAttempts: Int)
    /// Too many wrong PINs (this one may have been right: it is not even checked while locked).
    case locked(until: Date)
}

extension StoreDatabase {
    public func addStaff(name: String, role: StaffRole, pin: String, at: Date = Date()) async throws -> StaffMember {
        let name = try TextField.name(name, field: "staff name")
        let hash = try await PINHashing.run { try PINHash.make(pin: pin) }
        let at = at.storeTruncated
        let member = StaffMember(id: UUIDv7.string(at: at), name: name, role: role, pinHash: hash.encoded,
                                 failedAttempts: 0, lockedUntil: nil, createdAt: at)
        try await write { db in
            try member.insert(db)
            try db.appendOutboxEvent(.staffAdded, storeId: self.storeId, payload: StaffEvent(member), at: at)
        }
        return member
    }

    public func staffMembers() async throws -> [StaffMember] {
        try await read { db in try StaffMember.order(Column("name"), Column("id")).fetchAll(db) }
    }

    @discardableResult
    public func updateStaff(id: String, name: String? = nil, role: StaffRole? = nil) async throws -> StaffMember {
        let id = try RecordID.normalized(id, what: "staff id")
        let name = try name.map { try TextField.name($0, field: "staff name") }
        return try await write { db in
            var member = try Self.staffMember(db, id: id)
            if let name { member.name = name }
            if let role { member.role = role }
            try member.update(db)
            return member
        }
    }

    /// Sets a new PIN and lifts any lockout.
    public func changeStaffPIN(id: String, newPIN: String) async throws {
        let id = try RecordID.normalized(id, what: "staff id")
        let hash = try await PINHashing.run { try PINHash.make(pin: newPIN) }
        try await write { db in
            var member = try Self.staffMember(db, id: id)
            member.pinHash = hash.encoded
            member.failedAttempts = 0
            member.lockedUntil = nil
            try member.update(db)
        }
    }

    public func removeStaff(id: String, at: Date = Date()) async throws {
        let id = try RecordID.normalized(id, what: "staff id")
        let at = at.storeTruncated
        try await write { db in
            let member = try Self.staffMember(db, id: id)
            try member.delete(db)
            try db.appendOutboxEvent(.staffRemoved, storeId: self.storeId, payload: StaffEvent(member), at: at)
        }
    }

    /// Checks a PIN. After ``Options/maximumFailedPINAttempts`` wrong PINs in a row the member is locked for
    /// ``Options/pinLockoutDuration``; a right PIN resets the count. The slow hash runs outside the write
    /// transaction, so that other writes are not held up by it, and off the cooperative pool (``PINHashing``).
    public func verifyStaffPIN(staffId: String, pin: String, at: Date = Date()) async throws -> PINVerification {
        let id = try RecordID.normalized(staffId, what: "staff id")
        let at = at.storeTruncated
        let member = try await read { db in try Self.staffMember(db, id: id) }
        if let until = member.lockedUntil, until > at { return .locked(until: until) }
        let encoded = member.pinHash
        let matches = pin.count > 64
            ? false : try await PINHashing.run { PINHash(encoded: encoded)?.matches(pin: pin) ?? false }
        let maximum = max(1, options.maximumFailedPINAttempts)
        let lockout = options.pinLockoutDuration
        return try await write { db in
            // Re-read: another till may have failed or succeeded meanwhile.
            var current = try Self.staffMember(db, id: id)
            if let until = current.lockedUntil, until > at { return .locked(until: until) }
            if matches {
                if current.failedAttempts != 0 || current.lockedUntil != nil {
                    current.failedAttempts = 0
                    current.lockedUntil = nil
                    try current.update(db)
                }
                return .accepted(current)
            }
            current.failedAttempts = (current.lockedUntil == nil ? current.failedAttempts : 0) + 1
            current.lockedUntil = nil
            if current.failedAttempts >= maximum {
                let until = at.addingTimeInterval(lockout)
                current.lockedUntil = until
                current.failedAttempts = 0
                try current.update(db)
                return .locked(until: until)
            }
            try current.update(db)
            return .rejected(remainingAttempts: maximum - current.failedAttempts)
        }
    }

    private static func staffMember(_ db: Database, id: String) throws -> StaffMember {
        guard let member = try StaffMember.fetchOne(db, key: id) else {
            throw StoreError(.unknownStaff, "no staff member with id \(id)")
        }
        return member
    }
}

/// Staff fields head office may see: never the PIN hash or attempt counters.
private struct StaffEvent: Encodable {
    var id: String
    var name: String
    var role: StaffRole
    var createdAt: Date

    init(_ member: StaffMember) {
        id = member.id
        name = member.name
        role = member.role
        createdAt = member.createdAt
    }
}
