import Logging
import Foundation
import Hummingbird
import StoreCore

/// What a customer does at the kiosk: feedback, and signing up with the card they just tapped.
extension StoreAPI {
    struct FeedbackBody: StrictBody {
        typealias Keys = CodingKeys
        enum CodingKeys: String, CodingKey, CaseIterable { case score, comment, language, tapRef }
        var score: Int
        var comment: String?
        var language: String
        /// The tap the feedback follows; its profile, if any, gets the feedback. Without it the feedback is anonymous.
        var tapRef: String?

        func validate() throws {
            guard (0...10).contains(score) else { throw APIError.invalidField("score", "must be between 0 and 10") }
            guard (comment?.count ?? 0) <= 2000 else { throw APIError.invalidField("comment", "at most 2000 characters") }
            try validateLanguage(language)
        }
    }

    struct ConsentsBody: Decodable, Sendable, StrictFields {
        typealias Keys = CodingKeys
        enum CodingKeys: String, CodingKey, CaseIterable { case marketingEmail, marketingSMS, profiling }
        // Each one required: the form has one unticked box per purpose, and the answer is sent either way.
        var marketingEmail: Bool
        var marketingSMS: Bool
        var profiling: Bool

        var answers: [ConsentPurpose: Bool] {
            [.marketingEmail: marketingEmail, .marketingSMS: marketingSMS, .profiling: profiling]
        }
    }

    struct SignUpBody: StrictBody {
        typealias Keys = CodingKeys
        enum CodingKeys: String, CodingKey, CaseIterable {
            case tapRef, firstName, lastName, email, phone, language, consents
        }
        static var nestedFields: [String: any StrictFields.Type] { ["consents": ConsentsBody.self] }
        /// The unknown card's tap; required at a kiosk, optional at a till (a customer signing up without a card).
        var tapRef: String?
        var firstName: String
        var lastName: String?
        var email: String
        var phone: String?
        var language: String
        var consents: ConsentsBody

        func validate() throws {
            guard !firstName.trimmingCharacters(in: .whitespaces).isEmpty, firstName.count <= 100 else {
                throw APIError.invalidField("firstName", "1 to 100 characters")
            }
            guard (lastName?.count ?? 0) <= 100 else { throw APIError.invalidField("lastName", "at most 100 characters") }
            guard !email.isEmpty, email.count <= 254 else { throw APIError.invalidField("email", "1 to 254 characters") }
            guard (phone?.count ?? 0) <= 32 else { throw APIError.invalidField("phone", "at most 32 characters") }
            try validateLanguage(language)
        }
    }

    struct FeedbackView: Encodable {
        var id: String
        var at: Date
    }

    struct SignUpView: Encodable {
        var firstName: String
        var signUpBonus: Int64
        var balance: Int64
        /// True when the tapped card is now the customer's.
        var cardBound: Bool
        var joinedVisits: Int
        /// Only for a till: the kiosk never needs it.
        var profileId: String?
    }

    func addKioskRoutes(_ v1: RouterGroup<StoreRequestContext>) {
        v1.post("feedback") { request, context -> Response in
            let kiosk = try context.requireKiosk()
            let body = try await body(FeedbackBody.self, request)
            var profileId: String?
            if let tapRef = body.tapRef {
                guard let tap = await board.current(deviceId: kiosk.id, tapRef: tapRef) else {
                    throw APIError(.conflict, "tapExpired", "this tap is no longer the current one on this kiosk")
                }
                profileId = tap.greeting?.profileId
                await board.touch(deviceId: kiosk.id)
            }
            let feedback = try await database.recordFeedback(
                score: body.score, comment: body.comment, language: body.language, kioskDeviceId: kiosk.id,
                profileId: profileId)
            return JSONResponse.make(FeedbackView(id: feedback.id, at: feedback.at), status: .created)
        }

        v1.post("signups") { request, context -> Response in
            let device = try context.requireDevice()
            switch device.kind {
            case .kiosk: break
            case .till: _ = try context.requireStaff()
            }
            let body = try await body(SignUpBody.self, request)
            var tap: CurrentTap?
            if let tapRef = body.tapRef {
                guard let current = await board.current(deviceId: device.id, tapRef: tapRef) else {
                    throw APIError(.conflict, "tapExpired", "this tap is no longer the current one on this device")
                }
                guard current.greeting == nil else {
                    throw APIError(.conflict, "alreadyKnown", "the tapped card already belongs to a customer")
                }
                tap = current
            } else if device.kind == .kiosk {
                throw APIError.invalidField("tapRef", "required: a kiosk signs up the card just tapped")
            }
            let outcome = try await database.signUp(SignUpRequest(
                firstName: body.firstName, lastName: body.lastName, email: body.email, phone: body.phone,
                language: body.language, consents: body.consents.answers,
                identifiers: tap?.identifiers ?? StoreCore.TapIdentifiers(),
                origin: device.kind == .kiosk ? .kiosk : .till))
            context.logger.info("sign-up", metadata: ["profile": "\(outcome.profile.id)"])
            if let tap {
                let affordable = try await database.rewards().filter { $0.active && $0.cost <= outcome.balance }
                await board.signedUp(deviceId: device.id, tapRef: tap.tapRef, greeting: TapGreeting(
                    profileId: outcome.profile.id, firstName: outcome.profile.firstName,
                    language: outcome.profile.language, points: outcome.balance, tier: outcome.profile.tier,
                    affordableRewards: affordable))
            }
            return JSONResponse.make(SignUpView(
                firstName: outcome.profile.firstName, signUpBonus: outcome.signUpBonus, balance: outcome.balance,
                cardBound: tap != nil, joinedVisits: outcome.joinedVisits,
                profileId: device.kind == .till ? outcome.profile.id : nil), status: .created)
        }
    }
}

/// A BCP 47-looking tag: letters, digits and dashes, 2 to 35 characters. StoreCore checks it properly.
func validateLanguage(_ language: String, field: String = "language") throws {
    guard (2...35).contains(language.count),
          language.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
        throw APIError.invalidField(field, "a language tag such as fr or en-GB")
    }
}
