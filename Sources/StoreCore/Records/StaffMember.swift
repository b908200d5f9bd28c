import Foundation
import GRDB

/// A person who works the tills. The PIN is kept only as a PBKDF2 hash (see ``PINHash``).
public struct StaffMember: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "staff"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: String
    public var name: String
    public var role: StaffRole
    public var pinHash: String
    public var failedAttempts: Int
    public var lockedUntil: Date?
    public var createdAt: Date
}
