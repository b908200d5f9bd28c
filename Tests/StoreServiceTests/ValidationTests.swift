import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StoreCore
import Testing
@testable import StoreService

@Suite("Strict request bodies")
struct ValidationTests {
    static let validSignUp = #"{"tapRef":"REF","firstName":"Marie","email":"marie@example.com","language":"fr","consents":{"marketingEmail":true,"marketingSMS":false,"profiling":false}}"#

    struct Case: Sendable, CustomTestStringConvertible {
        var json: String
        var field: String
        var testDescription: String { "\(field): \(json)" }
    }

    static let feedbackCases: [Case] = [
        Case(json: #"{"score":9,"language":"fr","mood":"happy"}"#, field: "mood"),
        // Two unknown fields: the first in alphabetical order is named, whatever the order of the keys.
        Case(json: #"{"zeta":1,"score":9,"language":"fr","alpha":2}"#, field: "alpha"),
        Case(json: #"{"score":"nine","language":"fr"}"#, field: "score"),
        Case(json: #"{"score":9.5,"language":"fr"}"#, field: "score"),
        Case(json: #"{"score":11,"language":"fr"}"#, field: "score"),
        Case(json: #"{"score":-1,"language":"fr"}"#, field: "score"),
        Case(json: #"{"language":"fr"}"#, field: "score"),
        Case(json: #"{"score":null,"language":"fr"}"#, field: "score"),
        Case(json: #"{"score":5,"language":"français!"}"#, field: "language"),
        Case(json: #"{"score":5,"language":"fr","comment":"\#(String(repeating: "a", count: 2001))"}"#, field: "comment"),
    ]

    @Test("feedback: unknown fields, wrong types, missing and out-of-range values are a 400 naming the field",
          arguments: feedbackCases)
    func feedbackIsStrict(_ testCase: Case) async throws {
        let service = try await TestService(withStaff: false)
        try await service.application.test(.router) { client in
            let response = try await client.send(.post, "/v1/feedback", as: Caller(name: "kiosk", deviceToken: service.kiosk.token),
                                                 json: testCase.json)
            #expect(response.status == .badRequest, "\(response.text)")
            let body = try response.json()
            #expect(body["error"] as? String == "invalidField")
            #expect(body["field"] as? String == testCase.field, "\(response.text)")
        }
    }

    static let signUpCases: [Case] = [
        // Each consent must be answered: a missing box is not a silent "no".
        Case(json: #"{"tapRef":"R","firstName":"M","email":"m@example.com","language":"fr","consents":{"marketingEmail":true,"profiling":false}}"#,
             field: "consents.marketingSMS"),
        Case(json: #"{"tapRef":"R","firstName":"M","email":"m@example.com","language":"fr","consents":{"marketingEmail":true,"marketingSMS":false,"profiling":false,"newsletter":true}}"#,
             field: "consents.newsletter"),
        Case(json: #"{"tapRef":"R","firstName":"M","email":"m@example.com","language":"fr","consents":{"marketingEmail":"yes","marketingSMS":false,"profiling":false}}"#,
             field: "consents.marketingEmail"),
        Case(json: #"{"tapRef":"R","firstName":"","email":"m@example.com","language":"fr","consents":{"marketingEmail":true,"marketingSMS":false,"profiling":false}}"#,
             field: "firstName"),
        Case(json: #"{"tapRef":"R","firstName":"M","email":"m@example.com","language":"fr"}"#, field: "consents"),
    ]

    @Test("sign-up: nested consents are checked key by key", arguments: signUpCases)
    func signUpIsStrict(_ testCase: Case) async throws {
        let service = try await TestService(withStaff: false)
        try await service.application.test(.router) { client in
            let response = try await client.send(.post, "/v1/signups", as: Caller(name: "kiosk", deviceToken: service.kiosk.token),
                                                 json: testCase.json)
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(try response.json()["field"] as? String == testCase.field, "\(response.text)")
        }
    }

    @Test("bodies that are not JSON objects, not JSON, too large or of another type are refused")
    func malformedBodies() async throws {
        let service = try await TestService(settings: StoreServiceSettings(maximumBodyBytes: 256), withStaff: false)
        try await service.application.test(.router) { client in
            let kiosk = Caller(name: "kiosk", deviceToken: service.kiosk.token)
            let notJSON = try await client.send(.post, "/v1/feedback", as: kiosk, json: "score=9")
            #expect(notJSON.status == .badRequest)
            #expect(try notJSON.json()["error"] as? String == "malformedJSON")
            let array = try await client.send(.post, "/v1/feedback", as: kiosk, json: "[1,2]")
            #expect(array.status == .badRequest)
            let tooLarge = try await client.send(.post, "/v1/feedback", as: kiosk,
                                                 json: #"{"score":9,"language":"fr","comment":"\#(String(repeating: "a", count: 300))"}"#)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try tooLarge.json()["error"] as? String == "bodyTooLarge")
            let form = try await client.send(.post, "/v1/feedback", as: kiosk, json: #"{"score":9,"language":"fr"}"#,
                                             contentType: "application/x-www-form-urlencoded")
            #expect(form.status == .unsupportedMediaType)
        }
    }

    @Test("the till's purchase amount is range-checked before the store sees it")
    func purchaseAmountRange() async throws {
        let service = try await TestService()
        try await service.application.test(.router) { client in
            let till = Caller(name: "till", deviceToken: service.till.token)
            let staff = Caller(name: "staff", deviceToken: service.till.token,
                               staffToken: try await client.signIn(till: till, staffId: service.staff.id, pin: staffPIN))
            let negative = try await client.send(.post, "/v1/purchases", as: staff, json: #"{"receiptId":"R1","amountMinor":-5,"currency":"EUR"}"#)
            #expect(negative.status == .badRequest)
            #expect(try negative.json()["field"] as? String == "amountMinor")
            let currency = try await client.send(.post, "/v1/purchases", as: staff, json: #"{"receiptId":"R1","amountMinor":5,"currency":"EURO"}"#)
            #expect(try currency.json()["field"] as? String == "currency")
            let okay = try await client.send(.post, "/v1/purchases", as: staff, json: #"{"receiptId":"R1","amountMinor":500,"currency":"EUR"}"#)
            #expect(okay.status == .created)
            // The same receipt again is a replay, answered with the first result.
            let replay = try await client.send(.post, "/v1/purchases", as: staff, json: #"{"receiptId":"R1","amountMinor":500,"currency":"EUR"}"#)
            #expect(replay.status == .ok)
            #expect(try replay.json()["isReplay"] as? Bool == true)
            // The store's own refusals keep their code.
            let conflict = try await client.send(.post, "/v1/purchases", as: staff, json: #"{"receiptId":"R1","amountMinor":700,"currency":"EUR"}"#)
            #expect(conflict.status == .conflict)
            #expect(try conflict.json()["error"] as? String == "receiptConflict")
        }
    }

    @Test("profile lookup takes exactly one known query parameter")
    func profileQuery() async throws {
        let service = try await TestService()
        try await service.application.test(.router) { client in
            let till = Caller(name: "till", deviceToken: service.till.token)
            let staff = Caller(name: "staff", deviceToken: service.till.token,
                               staffToken: try await client.signIn(till: till, staffId: service.staff.id, pin: staffPIN))
            let unknown = try await client.send(.get, "/v1/profiles?surname=x", as: staff)
            #expect(unknown.status == .badRequest)
            #expect(try unknown.json()["field"] as? String == "surname")
            #expect(try await client.send(.get, "/v1/profiles", as: staff).status == .badRequest)
            #expect(try await client.send(.get, "/v1/profiles?email=a@example.com&name=A", as: staff).status == .badRequest)
            _ = try await service.database.signUp(SignUpRequest(firstName: "Ada", email: "ada@example.com", language: "en"))
            let found = try await client.send(.get, "/v1/profiles?name=ad", as: staff)
            #expect(found.status == .ok)
            #expect((try found.json()["profiles"] as? [[String: Any]])?.first?["firstName"] as? String == "Ada")
        }
    }
}
