import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StoreCore
import Testing
@testable import StoreService

/// The role matrix, cell by cell: every caller × every endpoint, each with the status it must get.
///
/// Callers: no token, a revoked device, a kiosk, a till without staff, a till with a staff session, a till with a
/// manager session. Allowed cells use valid bodies so that "allowed" means the operation really ran.
@Suite("Role matrix")
struct RoleMatrixTests {
    struct Cell: Sendable {
        var method: HTTPRequest.Method
        var path: String
        /// Status for: none, revoked, kiosk, till, till+staff, till+manager.
        var expected: [HTTPResponse.Status]
        /// A body, made per caller so that allowed writes do not collide (receipt ids, emails).
        var body: (@Sendable (String) -> String)?
    }

    @Test("every caller gets exactly its cell of the matrix on every endpoint")
    func matrix() async throws {
        let service = try await TestService()
        let database = service.database
        // A customer with points, a purchase to refund, a spare device and staff member to remove.
        let profileId = try await database.signUp(SignUpRequest(firstName: "Ada", email: "ada@example.com", language: "en")).profile.id
        _ = try await database.recordPurchase(PurchaseRequest(receiptId: "R-0", tillDeviceId: service.till.device.id,
                                                              amountMinor: 500_000, currency: "EUR", profileId: profileId))
        let spareDevices = try await [database.addDevice(kind: .kiosk, name: "Spare 1"),
                                      database.addDevice(kind: .kiosk, name: "Spare 2")]
        // Taps in front of the kiosk and the till, so that /v1/taps/current has something for each.
        try await service.tap(uid: "04A1B2C3D4E5F6", reader: kioskReader)
        try await service.tap(uid: "04F6E5D4C3B2A1", reader: tillReader)

        let app = try service.application
        try await app.test(.router) { client in
            let none = Caller(name: "no token")
            let revoked = Caller(name: "revoked device", deviceToken: service.revoked.token)
            let kiosk = Caller(name: "kiosk", deviceToken: service.kiosk.token)
            let till = Caller(name: "till without staff", deviceToken: service.till.token)
            let staff = Caller(name: "till + staff", deviceToken: service.till.token,
                               staffToken: try await client.signIn(till: till, staffId: service.staff.id, pin: staffPIN))
            let manager = Caller(name: "till + manager", deviceToken: service.till.token,
                                 staffToken: try await client.signIn(till: till, staffId: service.manager.id, pin: managerPIN))
            let callers = [none, revoked, kiosk, till, staff, manager]

            let kioskTapRef = try await client.send(.get, "/v1/taps/current", as: kiosk).json()["tapRef"] as! String
            let staffToRemove = try await [database.addStaff(name: "Leo", role: .staff, pin: "5820"),
                                           database.addStaff(name: "Zoe", role: .staff, pin: "7391")]

            let u401 = HTTPResponse.Status.unauthorized, f403 = HTTPResponse.Status.forbidden
            let cells: [Cell] = [
                Cell(method: .get, path: "/v1/taps/current", expected: [u401, u401, .ok, .ok, .ok, .ok]),
                Cell(method: .post, path: "/v1/feedback", expected: [u401, u401, .created, f403, f403, f403],
                     body: { _ in #"{"score":9,"comment":"Super","language":"fr","tapRef":"\#(kioskTapRef)"}"# }),
                // The kiosk signs up the unknown card it just read; a till needs staff.
                Cell(method: .post, path: "/v1/signups", expected: [u401, u401, .created, u401, .created, .created],
                     body: { caller in
                         let tap = caller == "kiosk" ? #""tapRef":"\#(kioskTapRef)","# : ""
                         return #"{\#(tap)"firstName":"Marie","email":"marie.\#(caller.filter(\.isLetter))@example.com","language":"fr","consents":{"marketingEmail":false,"marketingSMS":false,"profiling":false}}"#
                     }),
                Cell(method: .get, path: "/v1/profiles?email=ada@example.com", expected: [u401, u401, f403, u401, .ok, .ok]),
                Cell(method: .get, path: "/v1/profiles/\(profileId)", expected: [u401, u401, f403, u401, .ok, .ok]),
                Cell(method: .post, path: "/v1/purchases", expected: [u401, u401, f403, u401, .created, .created],
                     body: { caller in #"{"receiptId":"R-\#(caller.filter(\.isLetter))","amountMinor":1250,"currency":"EUR","profileId":"\#(profileId)"}"# }),
                Cell(method: .post, path: "/v1/refunds", expected: [u401, u401, f403, u401, .created, .created],
                     body: { caller in #"{"refundReceiptId":"RF-\#(caller.filter(\.isLetter))","purchaseReceiptId":"R-0","amountMinor":100}"# }),
                Cell(method: .post, path: "/v1/redemptions", expected: [u401, u401, f403, u401, .created, .created],
                     body: { _ in #"{"profileId":"\#(profileId)","rewardId":"coffee"}"# }),
                Cell(method: .get, path: "/v1/rewards", expected: [u401, u401, f403, u401, .ok, .ok]),
                // Allowed callers get past the checks to the reader, which this test service does not have.
                Cell(method: .post, path: "/v1/cards", expected: [u401, u401, f403, u401, .serviceUnavailable, .serviceUnavailable],
                     body: { _ in #"{"profileId":"\#(profileId)"}"# }),
                Cell(method: .get, path: "/v1/devices", expected: [u401, u401, f403, u401, f403, .ok]),
                Cell(method: .post, path: "/v1/devices", expected: [u401, u401, f403, u401, f403, .created],
                     body: { _ in #"{"kind":"till","name":"Till 2","boundReader":"Till Reader 02 00"}"# }),
                Cell(method: .delete, path: "/v1/devices/\(spareDevices[0].device.id)", expected: [u401, u401, f403, u401, f403, .noContent]),
                Cell(method: .get, path: "/v1/staff", expected: [u401, u401, f403, u401, f403, .ok]),
                Cell(method: .post, path: "/v1/staff", expected: [u401, u401, f403, u401, f403, .created],
                     body: { _ in #"{"name":"Noa","role":"staff","pin":"4931"}"# }),
                Cell(method: .delete, path: "/v1/staff/\(staffToRemove[0].id)", expected: [u401, u401, f403, u401, f403, .noContent]),
                // Sign-in is the till's: a kiosk is refused before the PIN is even looked at.
                Cell(method: .post, path: "/v1/staff/sessions", expected: [u401, u401, f403, .created, .created, .created],
                     body: { _ in #"{"staffId":"\#(service.staff.id)","pin":"\#(staffPIN)"}"# }),
            ]

            for cell in cells {
                for (caller, expected) in zip(callers, cell.expected) {
                    let response = try await client.send(cell.method, cell.path, as: caller, json: cell.body?(caller.name))
                    #expect(response.status == expected, "\(cell.method) \(cell.path) as \(caller): \(response.text)")
                    if response.status == .unauthorized || response.status == .forbidden {
                        // Every refusal is JSON with a code and a reason.
                        let body = try response.json()
                        #expect(body["error"] is String && !(body["reason"] as? String ?? "").isEmpty,
                                "\(cell.method) \(cell.path) as \(caller): \(response.text)")
                    }
                }
            }

            // Sign-out: the till without staff has nothing to end; the staff session ends and stops working.
            #expect(try await client.send(.delete, "/v1/staff/sessions/current", as: till).status == .unauthorized)
            #expect(try await client.send(.delete, "/v1/staff/sessions/current", as: staff).status == .noContent)
            #expect(try await client.send(.get, "/v1/rewards", as: staff).status == .unauthorized)
            #expect(try await client.send(.get, "/v1/rewards", as: manager).status == .ok)
        }
    }

    @Test("a kiosk reads only its own tap, never the till's")
    func kioskSeesOnlyItsOwnTap() async throws {
        let service = try await TestService()
        try await service.tap(uid: "04F6E5D4C3B2A1", reader: tillReader)
        try await service.application.test(.router) { client in
            let kiosk = Caller(name: "kiosk", deviceToken: service.kiosk.token)
            let till = Caller(name: "till", deviceToken: service.till.token)
            let kioskView = try await client.send(.get, "/v1/taps/current", as: kiosk)
            #expect(kioskView.status == .notFound)
            #expect(try kioskView.json()["error"] as? String == "noCurrentTap")
            #expect(try await client.send(.get, "/v1/taps/current", as: till).status == .ok)
        }
    }

    @Test("a staff session opened on the till is refused on any other device")
    func staffSessionIsBoundToItsTill() async throws {
        let service = try await TestService()
        try await service.application.test(.router) { client in
            let till = Caller(name: "till", deviceToken: service.till.token)
            let token = try await client.signIn(till: till, staffId: service.manager.id, pin: managerPIN)
            let kioskWithStolenSession = Caller(name: "kiosk", deviceToken: service.kiosk.token, staffToken: token)
            #expect(try await client.send(.get, "/v1/devices", as: kioskWithStolenSession).status == .forbidden)
            let bogus = Caller(name: "till", deviceToken: service.till.token, staffToken: "not-a-session")
            let refused = try await client.send(.get, "/v1/devices", as: bogus)
            #expect(refused.status == .unauthorized)
            #expect(try refused.json()["error"] as? String == "staffSessionUnknown")
        }
    }

    @Test("a till revoked through the API is refused at once, with what its staff sessions could do")
    func revokedTillLosesItsSessions() async throws {
        let service = try await TestService()
        try await service.application.test(.router) { client in
            let till = Caller(name: "till", deviceToken: service.till.token)
            let staff = Caller(name: "staff", deviceToken: service.till.token,
                               staffToken: try await client.signIn(till: till, staffId: service.staff.id, pin: staffPIN))
            let manager = Caller(name: "manager", deviceToken: service.till.token,
                                 staffToken: try await client.signIn(till: till, staffId: service.manager.id, pin: managerPIN))
            #expect(try await client.send(.get, "/v1/rewards", as: staff).status == .ok)
            #expect(try await client.send(.delete, "/v1/devices/\(service.till.device.id)", as: manager).status == .noContent)
            let refused = try await client.send(.get, "/v1/rewards", as: staff)
            #expect(refused.status == .unauthorized)
            #expect(try refused.json()["error"] as? String == "deviceRevoked")
        }
    }

    @Test("a device revoked outside the service (the CLI) is refused once the 2 s token cache has passed")
    func revokedElsewhereIsRefusedAfterTheCache() async throws {
        let service = try await TestService(withStaff: false)
        try await service.tap(uid: "04A1B2C3D4E5F6", reader: kioskReader)
        try await service.application.test(.router) { client in
            let kiosk = Caller(name: "kiosk", deviceToken: service.kiosk.token)
            #expect(try await client.send(.get, "/v1/taps/current", as: kiosk).status == .ok)
            try await service.database.revokeDevice(id: service.kiosk.device.id)
            service.clock.advance(by: 2.5)
            let refused = try await client.send(.get, "/v1/taps/current", as: kiosk)
            #expect(refused.status == .unauthorized)
            #expect(try refused.json()["error"] as? String == "deviceRevoked")
        }
    }
}
