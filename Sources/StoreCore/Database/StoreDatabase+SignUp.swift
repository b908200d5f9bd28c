import Foundation
import GRDB

/// What a person gives at the kiosk (or a till) to join the programme.
public struct SignUpRequest: Sendable, Hashable {
    public var firstName: String
    public var lastName: String?
    public var email: String
    public var phone: String?
    public var language: String
    /// The answers the person gave, purpose by purpose. A purpose left out is recorded as not granted: nothing is
    /// ever pre-granted.
    public var consents: [ConsentPurpose: Bool]
    /// The identifiers of the tap that started the sign-up; they are bound to the new profile and their earlier
    /// anonymous visits join it.
    public var identifiers: TapIdentifiers
    public var origin: RecordOrigin
    public var at: Date

    public init(firstName: String, lastName: String? = nil, email: String, phone: String? = nil, language: String,
                consents: [ConsentPurpose: Bool] = [:], identifiers: TapIdentifiers = TapIdentifiers(),
                origin: RecordOrigin = .kiosk, at: Date = Date()) {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.language = language
        self.consents = consents
        self.identifiers = identifiers
        self.origin = origin
        self.at = at
    }
}

public struct SignUpOutcome: Sendable, Hashable, Codable {
    public var profile: Profile
    public var boundIdentifiers: [Identifier]
    /// Anonymous visits of the bound identifiers that now belong to the profile.
    public var joinedVisits: Int
    public var signUpBonus: Int64
    public var balance: Int64
    public var consents: [Consent]
}

extension StoreDatabase {
    /// Creates a profile, records each consent answer, binds the tapped identifiers and grants the sign-up bonus,
    /// all in one transaction.
    ///
    /// - Throws: `emailAlreadyRegistered` when the email belongs to a profile already (nothing is created);
    ///   `identifierAlreadyBound` when a tapped identifier belongs to someone else; validation errors for a
    ///   malformed email, phone, name or language.
    public func signUp(_ request: SignUpRequest) async throws -> SignUpOutcome {
        let firstName = try TextField.name(request.firstName, field: "firstName")
        let lastName = try TextField.optionalName(request.lastName, field: "lastName")
        let email = try EmailAddress(request.email)
        let phone = try request.phone.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try PhoneNumber($0) }
        let language = try TextField.language(request.language)
        let presented = try request.identifiers.normalized()
        let at = request.at.storeTruncated
        let sunCounter = request.identifiers.sunTag.map { Int64($0.counter) }

        return try await write { db in
            if let existing = try Identifier.filter(Column("kind") == IdentifierKind.email.rawValue
                                                    && Column("value") == email.lookupKey).fetchOne(db),
               existing.profileId != nil {
                throw StoreError(.emailAlreadyRegistered,
                                 "\(email.normalized) is already registered: find that profile instead of creating another")
            }
            let profile = Profile(id: UUIDv7.string(at: at), firstName: firstName, lastName: lastName,
                                  email: email.normalized, phone: phone?.e164, language: language,
                                  tier: self.rules.tiers[0].name, createdAt: at, updatedAt: at,
                                  origin: request.origin, erasedAt: nil)
            try profile.insert(db)
            try db.appendOutboxEvent(.profileCreated, storeId: self.storeId, payload: profile, at: at)

            var toBind: [(kind: IdentifierKind, value: String, verified: Bool)] =
                [(.email, email.lookupKey, false)] + presented.map { ($0.kind, $0.value, $0.kind.isCryptographicProof) }
            if let phone, try Identifier.filter(Column("kind") == IdentifierKind.phone.rawValue
                                                && Column("value") == phone.e164).fetchCount(db) == 0 {
                // A phone shared by a household stays on each profile but identifies only the first one.
                toBind.append((.phone, phone.e164, false))
            }
            var bound: [Identifier] = []
            for (kind, value, verified) in toBind {
                var identifier: Identifier
                if let existing = try Identifier.filter(Column("kind") == kind.rawValue && Column("value") == value).fetchOne(db) {
                    guard existing.profileId == nil else {
                        throw StoreError(.identifierAlreadyBound,
                                         "the \(kind.rawValue) presented already belongs to another profile")
                    }
                    identifier = existing
                    identifier.profileId = profile.id
                    try identifier.update(db)
                } else {
                    identifier = Identifier(id: UUIDv7.string(at: at), kind: kind, value: value, profileId: profile.id,
                                            publicKey: nil, verified: verified,
                                            sunCounter: kind == .sunTag ? sunCounter : nil, createdAt: at)
                    try identifier.insert(db)
                }
                try db.appendOutboxEvent(.identifierBound, storeId: self.storeId, payload: identifier, at: at)
                bound.append(identifier)
            }

            let boundIds = bound.map(\.id)
            try db.execute(sql: """
                UPDATE visit SET profileId = ? WHERE profileId IS NULL AND identifierId IN (\(boundIds.map { _ in "?" }.joined(separator: ", ")))
                """, arguments: StatementArguments([profile.id] + boundIds))
            let joined = db.changesCount

            var consents: [Consent] = []
            for purpose in ConsentPurpose.allCases {
                let consent = Consent(id: UUIDv7.string(at: at), profileId: profile.id, purpose: purpose,
                                      granted: request.consents[purpose] ?? false, at: at, source: request.origin)
                try consent.insert(db)
                try db.appendOutboxEvent(.consentChanged, storeId: self.storeId, payload: consent, at: at)
                consents.append(consent)
            }

            if self.rules.signUpBonus > 0 {
                try PointsLedger.append(db, profileId: profile.id, delta: self.rules.signUpBonus, reason: .signUpBonus,
                                        reference: profile.id, at: at,
                                        expiresAt: self.rules.expiry(ofPointsEarnedAt: at), storeId: self.storeId)
            }
            let standing = try self.settleStanding(db, profile: profile, asOf: at)
            let current = try Profile.fetchOne(db, key: profile.id) ?? profile
            return SignUpOutcome(profile: current, boundIdentifiers: bound, joinedVisits: joined,
                                 signUpBonus: self.rules.signUpBonus, balance: standing.balance, consents: consents)
        }
    }
}
