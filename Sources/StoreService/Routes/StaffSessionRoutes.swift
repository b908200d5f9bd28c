import Logging
import Foundation
import Hummingbird
import StoreCore

/// Staff sign-in at a till: `POST /v1/staff/sessions` with id + PIN, `DELETE /v1/staff/sessions/current`.
extension StoreAPI {
    struct SignInBody: StrictBody {
        typealias Keys = CodingKeys
        enum CodingKeys: String, CodingKey, CaseIterable { case staffId, pin }
        var staffId: String
        var pin: String

        func validate() throws {
            guard !staffId.isEmpty, staffId.count <= 64 else { throw APIError.invalidField("staffId", "1 to 64 characters") }
            guard !pin.isEmpty, pin.count <= 64 else { throw APIError.invalidField("pin", "1 to 64 characters") }
        }
    }

    struct SessionView: Encodable {
        var token: String
        var expiresAt: Date
        var staff: StaffView
    }

    struct RefusedPINView: Encodable {
        var error: String
        var reason: String
        var remainingAttempts: Int?
        var lockedUntil: Date?
    }

    func addStaffSessionRoutes(_ v1: RouterGroup<StoreRequestContext>) {
        v1.post("staff/sessions") { request, context -> Response in
            let till = try context.requireTill()
            let body = try await body(SignInBody.self, request)
            let database = database
            let verification: PINVerification
            do {
                verification = try await database.verifyStaffPIN(staffId: body.staffId, pin: body.pin)
            } catch let error as StoreError where error.code == .unknownStaff || error.code == .invalidArgument {
                // Same answer as a wrong PIN: the till must not reveal which staff ids exist.
                context.logger.notice("staff sign-in refused: unknown staff id")
                return JSONResponse.make(RefusedPINView(error: "pinRejected", reason: "wrong staff id or PIN"),
                                         status: .unauthorized)
            }
            switch verification {
            case .accepted(let member):
                let opened = await sessions.open(staff: member, deviceId: till.id)
                context.logger.info("staff signed in", metadata: ["staff": "\(member.id)"])
                return JSONResponse.make(SessionView(token: opened.token, expiresAt: opened.session.expiresAt,
                                                     staff: StaffView(member)), status: .created)
            case .rejected(let remaining):
                context.logger.notice("staff sign-in refused: wrong PIN", metadata: ["staff": "\(body.staffId)"])
                return JSONResponse.make(
                    RefusedPINView(error: "pinRejected",
                                   reason: "wrong staff id or PIN; \(remaining) attempt(s) left before a lockout",
                                   remainingAttempts: remaining),
                    status: .unauthorized)
            case .locked(let until):
                context.logger.notice("staff sign-in refused: locked out", metadata: ["staff": "\(body.staffId)"])
                return JSONResponse.make(
                    RefusedPINView(error: "staffLocked", reason: "too many wrong PINs: sign-in is locked for a while",
                                   lockedUntil: until),
                    status: .locked)
            }
        }

        v1.delete("staff/sessions/current") { request, context -> Response in
            _ = try context.requireStaff()
            if let token = request.headers[.staffSession] { await sessions.close(token: token) }
            return Response(status: .noContent)
        }
    }
}

/// A staff member as the API shows one: never the PIN hash or the attempt counter.
struct StaffView: Codable, Sendable {
    var id: String
    var name: String
    var role: StaffRole
    var lockedUntil: Date?
    var createdAt: Date

    init(_ member: StaffMember) {
        id = member.id
        name = member.name
        role = member.role
        lockedUntil = member.lockedUntil
        createdAt = member.createdAt
    }
}
