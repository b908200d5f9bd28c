import Logging
import Foundation
import Hummingbird
import StoreCore

/// Manager-only: enrol and revoke devices, add and remove staff.
///
/// Rewards are not managed here: the catalog comes from the loyalty rules file (StoreCore syncs it at open)
/// and StoreCore has no API to edit it at run time.
extension StoreAPI {
    struct AddDeviceBody: StrictBody {
        typealias Keys = CodingKeys
        enum CodingKeys: String, CodingKey, CaseIterable { case kind, name, boundReader }
        var kind: DeviceKind
        var name: String
        var boundReader: String?

        func validate() throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 100 else {
                throw APIError.invalidField("name", "1 to 100 characters")
            }
            guard (boundReader?.count ?? 0) <= 200 else { throw APIError.invalidField("boundReader", "at most 200 characters") }
        }
    }

    struct AddStaffBody: StrictBody {
        typealias Keys = CodingKeys
        enum CodingKeys: String, CodingKey, CaseIterable { case name, role, pin }
        var name: String
        var role: StaffRole
        var pin: String

        func validate() throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 100 else {
                throw APIError.invalidField("name", "1 to 100 characters")
            }
            guard (4...12).contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw APIError.invalidField("pin", "4 to 12 digits")
            }
        }
    }

    /// A device as the API shows one: never the token hash.
    struct DeviceView: Encodable {
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

    struct NewDeviceView: Encodable {
        var device: DeviceView
        /// Shown this once; only its hash is stored.
        var token: String
    }

    struct DevicesView: Encodable { var devices: [DeviceView] }
    struct StaffListView: Encodable { var staff: [StaffView] }

    func addManagementRoutes(_ v1: RouterGroup<StoreRequestContext>) {
        v1.get("devices") { _, context -> Response in
            _ = try context.requireManager()
            return JSONResponse.make(DevicesView(devices: try await database.devices().map(DeviceView.init)))
        }

        v1.post("devices") { request, context -> Response in
            _ = try context.requireManager()
            let body = try await body(AddDeviceBody.self, request)
            let added = try await database.addDevice(kind: body.kind, name: body.name, boundReader: body.boundReader)
            context.logger.info("device added", metadata: ["newDevice": "\(added.device.id)", "kind": "\(added.device.kind)"])
            return JSONResponse.make(NewDeviceView(device: DeviceView(added.device), token: added.token), status: .created)
        }

        v1.delete("devices/:id") { _, context -> Response in
            _ = try context.requireManager()
            let id = try context.parameters.require("id")
            try await database.revokeDevice(id: id)
            deviceTokens.forget(deviceId: id)
            context.logger.info("device revoked", metadata: ["revokedDevice": "\(id)"])
            return Response(status: .noContent)
        }

        v1.get("staff") { _, context -> Response in
            _ = try context.requireManager()
            return JSONResponse.make(StaffListView(staff: try await database.staffMembers().map(StaffView.init)))
        }

        v1.post("staff") { request, context -> Response in
            _ = try context.requireManager()
            let body = try await body(AddStaffBody.self, request)
            let member = try await database.addStaff(name: body.name, role: body.role, pin: body.pin)
            context.logger.info("staff added", metadata: ["newStaff": "\(member.id)", "role": "\(member.role)"])
            return JSONResponse.make(StaffView(member), status: .created)
        }

        v1.delete("staff/:id") { _, context -> Response in
            _ = try context.requireManager()
            let id = try context.parameters.require("id")
            try await database.removeStaff(id: id)
            await sessions.closeAll(staffId: id)
            return Response(status: .noContent)
        }
    }
}
