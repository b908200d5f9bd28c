import Foundation
import Hummingbird
import Logging
import ReaderService
import StoreCore

/// How the running service writes a new loyalty card onto the card on a till's reader. The serve command
/// builds it from its reader service; an API without readers (tests, a service started with no pcscd) has none.
public struct CardIssuing: Sendable {
    /// Writes, reads back and verifies a signed card on the next card on `reader`.
    public var issue: @Sendable (_ reader: String, _ reissue: Bool) async throws -> IssuedCard

    public init(issue: @escaping @Sendable (_ reader: String, _ reissue: Bool) async throws -> IssuedCard) {
        self.issue = issue
    }

    /// Through `service`, which owns the readers, with `issuer`'s keys, onto `host`, waiting up to `wait`.
    public static func through(_ service: ReaderService, issuer: CardIssuer, host: String, waitingUpTo wait: Duration) -> CardIssuing {
        CardIssuing { reader, reissue in
            try await service.issueCard(on: reader, with: issuer, host: host, reissue: reissue, waitingUpTo: wait)
        }
    }
}

/// Till staff issuing a loyalty card to the customer in front of them, on the till's own reader.
extension StoreAPI {
    struct CardIssueBody: StrictBody {
        typealias Keys = CodingKeys
        enum CodingKeys: String, CodingKey, CaseIterable { case profileId, reissue }
        var profileId: String
        /// Write over a tag that already is a Parcours card (its card id is kept when it verifies).
        var reissue: Bool?

        func validate() throws {
            try validateReference(profileId, field: "profileId")
        }
    }

    struct IssuedCardView: Encodable {
        var cardID: String
        var uid: String
        var url: String
        var reissued: Bool
        var profileId: String
    }

    func addCardRoutes(_ v1: RouterGroup<StoreRequestContext>) {
        v1.post("cards") { request, context -> Response in
            let (till, _) = try context.requireStaff()
            let body = try await body(CardIssueBody.self, request)
            guard let reader = till.boundReader else {
                throw APIError(.conflict, "noReader", "this till has no reader bound: enrol it with one (parcours device add --kind till --reader NAME)")
            }
            guard let cardIssuing else {
                throw APIError(.serviceUnavailable, "cardIssuingUnavailable", "this service runs without readers: start it with pcscd available")
            }
            // The profile must exist before a tag is written for it.
            _ = try await database.profile(id: body.profileId)
            let card: IssuedCard
            do {
                card = try await cardIssuing.issue(reader, body.reissue ?? false)
            } catch let error as CardIssueError {
                throw APIError(.unprocessableContent, "card\(error.code.rawValue.prefix(1).uppercased())\(error.code.rawValue.dropFirst())", error.message)
            }
            try await database.bindIdentifier(kind: .loyaltyCard, value: card.cardID, profileId: body.profileId, verified: true)
            do {
                try await database.bindIdentifier(kind: .cardUID, value: card.uid, profileId: body.profileId, verified: false)
            } catch let error as StoreError where error.code == .identifierAlreadyBound {
                // The signed card id is the proof that counts; a UID someone else's profile holds stays theirs.
                context.logger.warning("issued card's UID belongs to another profile", metadata: ["profile": "\(body.profileId)"])
            }
            context.logger.info("card issued", metadata: ["profile": "\(body.profileId)", "reissued": "\(card.reissued)"])
            return JSONResponse.make(IssuedCardView(cardID: card.cardID, uid: card.uid, url: card.url,
                                                    reissued: card.reissued, profileId: body.profileId), status: .created)
        }
    }
}
