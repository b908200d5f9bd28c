import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StoreCore
import Testing
@testable import StoreService

@Suite("Staff sign-in")
struct StaffSignInTests {
    @Test("wrong PINs count down, then lock the member out with 423, even for the right PIN")
    func lockout() async throws {
        let service = try await TestService(maximumFailedPINAttempts: 2)
        try await service.application.test(.router) { client in
            let till = Caller(name: "till", deviceToken: service.till.token)
            let path = "/v1/staff/sessions"
            let wrong = #"{"staffId":"\#(service.staff.id)","pin":"0000"}"#
            let first = try await client.send(.post, path, as: till, json: wrong)
            #expect(first.status == .unauthorized)
            #expect(try first.json()["error"] as? String == "pinRejected")
            #expect(try first.json()["remainingAttempts"] as? Int == 1)
            let second = try await client.send(.post, path, as: till, json: wrong)
            #expect(second.status.code == 423)
            #expect(try second.json()["error"] as? String == "staffLocked")
            #expect(try second.json()["lockedUntil"] is String)
            let right = try await client.send(.post, path, as: till, json: #"{"staffId":"\#(service.staff.id)","pin":"\#(staffPIN)"}"#)
            #expect(right.status.code == 423)
        }
    }

    @Test("an unknown staff id gets the same answer as a wrong PIN")
    func unknownStaff() async throws {
        let service = try await TestService()
        try await service.application.test(.router) { client in
            let till = Caller(name: "till", deviceToken: service.till.token)
            let response = try await client.send(.post, "/v1/staff/sessions", as: till,
                                                 json: #"{"staffId":"0190a1b2-0000-7000-8000-000000000000","pin":"1234"}"#)
            #expect(response.status == .unauthorized)
            #expect(try response.json()["error"] as? String == "pinRejected")
            #expect(try response.json()["reason"] as? String == "wrong staff id or PIN")
        }
    }

    @Test("a session expires after its lifetime")
    func sessionExpiry() async throws {
        let service = try await TestService(settings: StoreServiceSettings(staffSessionLifetime: 600))
        try await service.application.test(.router) { client in
            let till = Caller(name: "till", deviceToken: service.till.token)
            let staff = Caller(name: "staff", deviceToken: service.till.token,
                               staffToken: try await client.signIn(till: till, staffId: service.staff.id, pin: staffPIN))
            service.clock.advance(by: 599)
            #expect(try await client.send(.get, "/v1/rewards", as: staff).status == .ok)
            service.clock.advance(by: 2)
            let expired = try await client.send(.get, "/v1/rewards", as: staff)
            #expect(expired.status == .unauthorized)
            #expect(try expired.json()["error"] as? String == "staffSessionExpired")
        }
    }

    @Test("a manager's session shows the role; the staff list never carries PIN hashes")
    func staffListHasNoSecrets() async throws {
        let service = try await TestService()
        try await service.application.test(.router) { client in
            let till = Caller(name: "till", deviceToken: service.till.token)
            let signIn = try await client.send(.post, "/v1/staff/sessions", as: till,
                                               json: #"{"staffId":"\#(service.manager.id)","pin":"\#(managerPIN)"}"#)
            let session = try signIn.json()
            #expect((session["staff"] as? [String: Any])?["role"] as? String == "manager")
            let manager = Caller(name: "manager", deviceToken: service.till.token, staffToken: session["token"] as? String)
            let list = try await client.send(.get, "/v1/staff", as: manager)
            #expect(list.status == .ok)
            #expect(!list.text.contains("pbkdf2"))
            #expect(!list.text.contains("pinHash"))
            let devices = try await client.send(.get, "/v1/devices", as: manager)
            #expect(!devices.text.contains("tokenHash"))
            #expect(!devices.text.contains(service.kiosk.token))
        }
    }

    @Test("a device enrolled through the API works with the token shown once")
    func enrolDevice() async throws {
        let service = try await TestService()
        try await service.application.test(.router) { client in
            let till = Caller(name: "till", deviceToken: service.till.token)
            let manager = Caller(name: "manager", deviceToken: service.till.token,
                                 staffToken: try await client.signIn(till: till, staffId: service.manager.id, pin: managerPIN))
            let added = try await client.send(.post, "/v1/devices", as: manager, json: #"{"kind":"kiosk","name":"Kiosk 2"}"#)
            #expect(added.status == .created)
            let token = try #require(try added.json()["token"] as? String)
            let newKiosk = Caller(name: "kiosk 2", deviceToken: token)
            #expect(try await client.send(.get, "/v1/taps/current", as: newKiosk).status == .notFound)
            let badKind = try await client.send(.post, "/v1/devices", as: manager, json: #"{"kind":"printer","name":"P"}"#)
            #expect(badKind.status == .badRequest)
            #expect(try badKind.json()["field"] as? String == "kind")
        }
    }
}
