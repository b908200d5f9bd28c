import Foundation
import GRDB

/// A kiosk or till allowed to talk to the store. Only the SHA-256 of its token is kept.
public struct Device: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "device"
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoreDate.strategy }

    public var id: String
    public var kind: DeviceKind
    public var name: String
    /// Lowercase hex SHA-256 of the bearer token handed out once at creation.
    public var tokenHash: String
    /// The PC/SC reader name this device's taps come from, if it has one.
    public var boundReader: String?
    public var createdAt: Date
    public var revokedAt: Date?

    public var isRevoked: Bool { revokedAt != nil }
}
