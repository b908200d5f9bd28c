import Logging
import Foundation
import Hummingbird
import StoreCore

/// Till staff serving a customer: lookup, purchases, refunds, redemptions, the reward catalog.
extension StoreAPI {
    struct PurchaseBody: StrictBody {
        typealias Keys = CodingKeys
        enum CodingKeys: String, CodingKey, CaseIterable { case receiptId, amountMinor, currency, profileId }
        var receiptId: String
        var amountMinor: Int64
        var currency: String
        /// nil for an anonymous sale.
        var profileId: String?

        func validate() throws {
            try validateReference(receiptId, field: "receiptId")
            guard (0...Self.maximumAmountMinor).contains(amountMinor) else {
                throw APIError.invalidField("amountMinor", "must be between 0 and \(Self.maximumAmountMinor)")
            }
            guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw APIError.invalidField("currency", "an ISO 4217 code such as EUR")
            }
            if let profileId { try validateReference(profileId, field: "profileId") }
        }

        /// One million in major units: far above any till sale, far below overflow in the points arithmetic.
        static let maximumAmountMinor: Int64 = 100_000_000
    }

    struct RefundBody: StrictBody {
        typealias Keys = CodingKeys
        enum CodingKeys: String, CodingKey, CaseIterable { case refundReceiptId, purchaseReceiptId, amountMinor }
        var refundReceiptId: String
        var purchaseReceiptId: String
        var amountMinor: Int64

        func validate() throws {
            try validateReference(refundReceiptId, field: "refundReceiptId")
            try validateReference(purchaseReceiptId, field: "purchaseReceiptId")
            guard (1...PurchaseBody.maximumAmountMinor).contains(amountMinor) else {
                throw APIError.invalidField("amountMinor", "must be between 1 and \(PurchaseBody.maximumAmountMinor)")
            }
        }
    }

    struct RedemptionBody: StrictBody {
        typealias Keys = CodingKeys
        enum CodingKeys: String, CodingKey, CaseIterable { case profileId, rewardId }
        var profileId: String
        var rewardId: String

        func validate() throws {
            try validateReference(profileId, field: "profileId")
            try validateReference(rewardId, field: "rewardId")
        }
    }

    struct ProfileSummaryView: Encodable {
        var id: String
        var firstName: String
        var lastName: String?
        var email: String?
        var phone: String?
        var language: String
        var tier: String

        init(_ profile: Profile) {
            id = profile.id
            firstName = profile.firstName
            lastName = profile.lastName
            email = profile.email
            phone = profile.phone
            language = profile.language
            tier = profile.tier
        }
    }

    /// The customer panel. Identifiers are listed by kind only: their values (card UIDs, payment tokens) are
    /// matching keys, not something staff read.
    struct ProfileDetailsView: Encodable {
        var profile: ProfileSummaryView
        var balance: Int64
        var tier: String
        var rollingPoints: Int64
        var identifiers: [IdentifierView]
        var consents: [Consent]
        var visitCount: Int
        var lastVisitAt: Date?
        var recentLedger: [LedgerEntry]
        var affordableRewards: [RewardView]

        struct IdentifierView: Encodable {
            var kind: IdentifierKind
            var verified: Bool
            var createdAt: Date
        }
    }

    struct ProfilesView: Encodable { var profiles: [ProfileSummaryView] }
    struct RewardsView: Encodable { var rewards: [RewardView] }

    func addCustomerRoutes(_ v1: RouterGroup<StoreRequestContext>) {
        v1.get("profiles") { request, context -> Response in
            _ = try context.requireStaff()
            let query = try Self.profileQuery(request.uri.queryParameters)
            let profiles: [Profile]
            switch query {
            case .store(let query):
                profiles = try await database.findProfiles(query)
            case .card(let kind, let value):
                let identifier = try await database.identifier(kind: kind, value: value)
                if let profileId = identifier?.profileId {
                    let details = try await database.profile(id: profileId)
                    profiles = details.profile.isErased ? [] : [details.profile]
                } else {
                    profiles = []
                }
            }
            return JSONResponse.make(ProfilesView(profiles: profiles.map(ProfileSummaryView.init)))
        }

        v1.get("profiles/:id") { _, context -> Response in
            _ = try context.requireStaff()
            let id = try context.parameters.require("id")
            let details = try await database.profile(id: id)
            let affordable = try await database.rewards().filter { $0.active && $0.cost <= details.balance }
            return JSONResponse.make(ProfileDetailsView(
                profile: ProfileSummaryView(details.profile), balance: details.balance, tier: details.tier,
                rollingPoints: details.rollingPoints,
                identifiers: details.identifiers.map { .init(kind: $0.kind, verified: $0.verified, createdAt: $0.createdAt) },
                consents: details.consents, visitCount: details.visitCount, lastVisitAt: details.lastVisitAt,
                recentLedger: details.recentLedger, affordableRewards: affordable.map(RewardView.init)))
        }

        v1.post("purchases") { request, context -> Response in
            let (till, _) = try context.requireStaff()
            let body = try await body(PurchaseBody.self, request)
            let outcome = try await database.recordPurchase(PurchaseRequest(
                receiptId: body.receiptId, tillDeviceId: till.id, amountMinor: body.amountMinor,
                currency: body.currency.uppercased(), profileId: body.profileId))
            return JSONResponse.make(outcome, status: outcome.isReplay ? .ok : .created)
        }

        v1.post("refunds") { request, context -> Response in
            let (till, _) = try context.requireStaff()
            let body = try await body(RefundBody.self, request)
            let outcome = try await database.refund(RefundRequest(
                refundReceiptId: body.refundReceiptId, purchaseReceiptId: body.purchaseReceiptId,
                tillDeviceId: till.id, scope: .amount(body.amountMinor)))
            return JSONResponse.make(outcome, status: outcome.isReplay ? .ok : .created)
        }

        v1.post("redemptions") { request, context -> Response in
            let (till, _) = try context.requireStaff()
            let body = try await body(RedemptionBody.self, request)
            let outcome = try await database.redeem(profileId: body.profileId, rewardId: body.rewardId, deviceId: till.id)
            return JSONResponse.make(outcome, status: .created)
        }

        v1.get("rewards") { _, context -> Response in
            _ = try context.requireStaff()
            return JSONResponse.make(RewardsView(rewards: try await database.rewards().map(RewardView.init)))
        }
    }

    enum LookupQuery {
        case store(ProfileQuery)
        case card(IdentifierKind, String)
    }

    /// Exactly one of `email`, `phone`, `name`, `cardUID`, `loyaltyCard`.
    static func profileQuery(_ parameters: Parameters) throws -> LookupQuery {
        let allowed = ["email", "phone", "name", "cardUID", "loyaltyCard"]
        for (key, _) in parameters where !allowed.contains(String(key)) {
            throw APIError.invalidField(String(key), "unknown query parameter")
        }
        let given = allowed.compactMap { key in parameters.get(key).map { (key, $0) } }
        guard given.count == 1, let (key, value) = given.first else {
            throw APIError(.badRequest, "invalidQuery", "give exactly one of \(allowed.joined(separator: ", "))")
        }
        guard !value.isEmpty, value.count <= 254 else { throw APIError.invalidField(key, "1 to 254 characters") }
        switch key {
        case "email": return .store(.email(value))
        case "phone": return .store(.phone(value))
        case "name": return .store(.name(value))
        case "cardUID": return .card(.cardUID, value)
        default: return .card(.loyaltyCard, value)
        }
    }
}

/// Ids and receipt numbers: 1 to 64 printable ASCII characters, no spaces.
func validateReference(_ value: String, field: String) throws {
    guard (1...64).contains(value.count), value.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
        throw APIError.invalidField(field, "1 to 64 characters without spaces")
    }
}
