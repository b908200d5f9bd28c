import Crypto
import Foundation
import KeyDerivation
import PostgresNIO
import SyncProtocol

public struct ManagerSession: Sendable, Codable, Hashable {
    /// The bearer token: shown to the browser once; head office keeps only its SHA-256.
    public var token: String
    public var managerId: String
    public var name: String
    public var expiresAt: Date
}

public struct ManagerIdentity: Sendable, Hashable {
    public var id: String
    public var name: String
}

/// Head-office managers: the people who read reports, segments and customers. A password is kept only as a PBKDF2
/// hash; five wrong passwords in a row lock the account for 15 minutes; a session lasts `sessionSeconds`.
extension HeadOfficeDatabase {
    public static let managerSessionSeconds: TimeInterval = 8 * 3600
    static let managerLockoutFailures = 5
    static let managerLockoutSeconds: TimeInterval = 15 * 60
    static let managerTokenPrefix = "pcms_"

    public func addManager(id: String, name: String, password: String) async throws {
        guard id.range(of: "^[A-Za-z0-9._-]{1,64}$", options: .regularExpression) != nil else {
            throw HeadOfficeError(.invalidArgument, "manager id: 1 to 64 letters, digits, '.', '_' or '-'")
        }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw HeadOfficeError(.invalidArgument, "manager name: 1 to 100 characters") }
        try Self.validatePassword(password)
        let hash = try await SlowHashing.run { PasswordHash.make(secret: password).encoded }
        let inserted = try await transaction { connection in
            try await connection.query("""
                INSERT INTO manager (id, name, password_hash) VALUES (\(id), \(name), \(hash)) ON CONFLICT DO NOTHING RETURNING id
                """, logger: logger).collect().count
        }
        guard inserted == 1 else { throw HeadOfficeError(.conflict, "a manager '\(id)' exists already: use 'parcours hq manager password' to change the password") }
    }

    public func setManagerPassword(id: String, password: String) async throws {
        try Self.validatePassword(password)
        let hash = try await SlowHashing.run { PasswordHash.make(secret: password).encoded }
        let updated = try await transaction { connection in
            // A new password ends the sessions opened with the old one.
            try await connection.query("DELETE FROM manager_session WHERE manager_id = \(id)", logger: logger)
            return try await connection.query("""
                UPDATE manager SET password_hash = \(hash), failed_attempts = 0, locked_until = NULL WHERE id = \(id) RETURNING id
                """, logger: logger).collect().count
        }
        guard updated == 1 else { throw HeadOfficeError(.notFound, "no manager '\(id)'") }
    }

    public func disableManager(id: String) async throws {
        let updated = try await transaction { connection in
            try await connection.query("DELETE FROM manager_session WHERE manager_id = \(id)", logger: logger)
            return try await connection.query("UPDATE manager SET disabled_at = now() WHERE id = \(id) AND disabled_at IS NULL RETURNING id",
                                              logger: logger).collect().count
        }
        guard updated == 1 else { throw HeadOfficeError(.notFound, "no active manager '\(id)'") }
    }

    public func managers() async throws -> [(id: String, name: String, disabled: Bool)] {
        try await read { connection in
            try await connection.query("SELECT id, name, disabled_at IS NOT NULL FROM manager ORDER BY id", logger: logger)
                .decode((String, String, Bool).self).gathered().map { (id: $0.0, name: $0.1, disabled: $0.2) }
        }
    }

    /// Opens a session for a manager whose password matches. Wrong id and wrong password get the same answer.
    public func signInManager(id: String, password: String, now: Date = Date()) async throws -> ManagerSession {
        let row = try await read { connection in
            try await connection.query("""
                SELECT name, password_hash, disabled_at IS NOT NULL, locked_until FROM manager WHERE id = \(id)
                """, logger: logger).decode((String, String, Bool, Date?).self).gathered().first
        }
        guard let (name, stored, disabled, lockedUntil) = row, !disabled else {
            // Spend the same time as a real check, so timing does not tell which ids exist.
            _ = try await SlowHashing.run { PasswordHash.make(secret: password).hash }
            throw HeadOfficeError(.unauthorized, "wrong manager id or password")
        }
        if let lockedUntil, lockedUntil > now {
            throw ManagerLockedOut(until: lockedUntil)
        }
        let matches = try await SlowHashing.run { PasswordHash(encoded: stored)?.matches(password) ?? false }
        guard matches else {
            let locked = try await transaction { connection in
                try await connection.query("""
                    UPDATE manager SET failed_attempts = failed_attempts + 1,
                        locked_until = CASE WHEN failed_attempts + 1 >= \(Self.managerLockoutFailures)
                                            THEN \(now.addingTimeInterval(Self.managerLockoutSeconds)) END
                    WHERE id = \(id) RETURNING locked_until
                    """, logger: logger).decode(Date?.self).gathered().first ?? nil
            }
            if let locked { throw ManagerLockedOut(until: locked) }
            throw HeadOfficeError(.unauthorized, "wrong manager id or password")
        }
        var random = SystemRandomNumberGenerator()
        let token = Self.managerTokenPrefix + Base64URL.encode(Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }))
        let expiresAt = now.addingTimeInterval(Self.managerSessionSeconds)
        try await transaction { connection in
            try await connection.query("UPDATE manager SET failed_attempts = 0, locked_until = NULL WHERE id = \(id)", logger: logger)
            try await connection.query("DELETE FROM manager_session WHERE expires_at < \(now)", logger: logger)
            try await connection.query("""
                INSERT INTO manager_session (token_hash, manager_id, expires_at) VALUES (\(Self.apiKeyHash(token)), \(id), \(expiresAt))
                """, logger: logger)
        }
        return ManagerSession(token: token, managerId: id, name: name, expiresAt: expiresAt)
    }

    /// The manager behind a live session token, or `.unauthorized` saying why not.
    public func authenticateManager(token: String, now: Date = Date()) async throws -> ManagerIdentity {
        guard token.hasPrefix(Self.managerTokenPrefix), token.utf8.count < 200 else {
            throw HeadOfficeError(.unauthorized, "the bearer token is not a manager session (sign in again)")
        }
        let row = try await read { connection in
            try await connection.query("""
                SELECT m.id, m.name, s.expires_at FROM manager_session s JOIN manager m ON m.id = s.manager_id
                WHERE s.token_hash = \(Self.apiKeyHash(token)) AND m.disabled_at IS NULL
                """, logger: logger).decode((String, String, Date).self).gathered().first
        }
        guard let (id, name, expiresAt) = row else { throw HeadOfficeError(.unauthorized, "this session is not known (sign in again)") }
        guard expiresAt > now else { throw HeadOfficeError(.unauthorized, "the session expired at \(SyncDate.text(expiresAt)): sign in again") }
        return ManagerIdentity(id: id, name: name)
    }

    public func signOutManager(token: String) async throws {
        try await transaction { connection in
            try await connection.query("DELETE FROM manager_session WHERE token_hash = \(Self.apiKeyHash(token))", logger: logger)
        }
    }

    static func validatePassword(_ password: String) throws {
        guard (12...200).contains(password.count) else {
            throw HeadOfficeError(.invalidArgument, "a manager password must be 12 to 200 characters")
        }
    }
}

/// Too many wrong passwords in a row.
public struct ManagerLockedOut: Error, CustomStringConvertible, Sendable {
    public let until: Date
    public var description: String { "too many wrong passwords: this account is locked until \(SyncDate.text(until))" }
}
