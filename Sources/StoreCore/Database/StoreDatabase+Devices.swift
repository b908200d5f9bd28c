import Foundation
import GRDB

/// A device just added, with its bearer token. The token is shown this once; only its hash is stored.
public struct NewDevice: Sendable, Hashable {
    public var device: Device
    public var token: String
}

extension StoreDatabase {
    public func addDevice(kind: DeviceKind, name: String, boundReader: String? = nil, at: Date = Date()) async throws -> NewDevice {
        let name = try TextField.name(name, field: "device name")
        let boundReader = try TextField.optionalName(boundReader, field: "boundReader", maximumLength: 200)
        let at = at.storeTruncated
        let token = DeviceToken.make()
        let device = Device(id: UUIDv7.string(at: at), kind: kind, name: name, tokenHash: DeviceToken.hash(token),
                            boundReader: boundReader, createdAt: at, revokedAt: nil)
        try await write { db in
            try device.insert(db)
            try db.appendOutboxEvent(.deviceAdded, storeId: self.storeId, payload: DeviceEvent(device), at: at)
        }
        return NewDevice(device: device, token: token)
    }

    public func devices() async throws -> [Device] {
        try await read { db in try Device.order(Column("createdAt"), Column("id")).fetchAll(db) }
    }

    /// The device a bearer token belongs to. Throws `unknownDevice` for a token never issued and `deviceRevoked`
    /// for one whose device was revoked.
    public func authenticateDevice(token: String) async throws -> Device {
        guard !token.isEmpty, token.count <= 256 else {
            throw StoreError(.unknownDevice, "no device has this token")
        }
        let hash = DeviceToken.hash(token)
        return try await read { db in
            guard let device = try Device.filter(Column("tokenHash") == hash).fetchOne(db) else {
                throw StoreError(.unknownDevice, "no device has this token")
            }
            guard !device.isRevoked else {
                throw StoreError(.deviceRevoked, "device \(device.name) was revoked")
            }
            return device
        }
    }

    /// Renames a device or changes the reader it is bound to (pass `boundReader: .some(nil)` to unbind).
    @discardableResult
    public func updateDevice(id: String, name: String? = nil, boundReader: String?? = nil) async throws -> Device {
        let id = try RecordID.normalized(id, what: "device id")
        let name = try name.map { try TextField.name($0, field: "device name") }
        let reader = try boundReader.map { try TextField.optionalName($0, field: "boundReader", maximumLength: 200) }
        return try await write { db in
            guard var device = try Device.fetchOne(db, key: id) else {
                throw StoreError(.unknownDevice, "no device with id \(id)")
            }
            if let name { device.name = name }
            if let reader { device.boundReader = reader }
            try device.update(db)
            return device
        }
    }

    /// Revokes a device: its token stops working. Revoking twice keeps the first date.
    public func revokeDevice(id: String, at: Date = Date()) async throws {
        let id = try RecordID.normalized(id, what: "device id")
        let at = at.storeTruncated
        try await write { db in
            guard var device = try Device.fetchOne(db, key: id) else {
                throw StoreError(.unknownDevice, "no device with id \(id)")
            }
            guard device.revokedAt == nil else { return }
            device.revokedAt = at
            try device.update(db)
            try db.appendOutboxEvent(.deviceRevoked, storeId: self.storeId, payload: DeviceEvent(device), at: at)
        }
    }
}

/// Device fields head office may see: never the token hash.
private struct DeviceEvent: Encodable {
    var id: String
    var kind: DeviceKind
    var name: String
    var boundReader: String?
    var createdAt: Date
    var revokedAt: Date?

    init(_ device: Device) {
        id = device.id
        kind = device.kind
        name = device.name
        boundReader = device.boundReader
        createdAt = device.createdAt
        revokedAt = device.revokedAt
    }
}
