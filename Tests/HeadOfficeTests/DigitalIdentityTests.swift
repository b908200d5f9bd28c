import Foundation
import HeadOffice
import StoreCore
import StoreSync
import SyncProtocol
import Testing

/// Digital profiles meeting store profiles: the same identifier rules as between stores, with stores told through the feed.
@Suite("Digital profiles: identity across online and stores", .serialized)
struct DigitalIdentityTests {
    static func liveProfiles(_ hq: HeadOfficeDatabase) async throws -> Int {
        try await hq.count("SELECT count(*)::bigint FROM profile WHERE merged_into IS NULL")
    }

    static func hqBalance(_ hq: HeadOfficeDatabase, _ id: String) async throws -> Int {
        try await hq.count("SELECT COALESCE(sum(delta), 0)::bigint FROM ledger_entry WHERE profile_id = '\(id)'")
    }

    @Test("signed up online (verified email, PAR), taps that card in a store: greeted after the next pull as one profile with one balance; a second sign-up with the card elsewhere merges into the online profile")
    func onlineThenStore() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let par = DigitalFixtures.par("4242")
                let signedUpAt = Date(timeIntervalSinceNow: -86_400)
                let online = try await hq.applyDigitalProfiles([(line: 0, input: DigitalProfileInput(
                    ecommerceId: "W-42", email: "lea@example.com", emailVerified: true, firstName: "Léa",
                    paymentAccountReference: par, consents: [DigitalConsent(purpose: .marketingEmail, granted: true, at: signedUpAt)]))],
                    source: "webhook")
                let leaId = try #require(online.results.first?.profileId).uuidString.lowercased()
                #expect(try await hq.count("SELECT count(*)::bigint FROM change") == 0, "no store knows her yet: nothing to send")

                let paris = try await TestStore.make("paris", headOffice: hq, url: url)
                let t0 = Date()
                let first = try await paris.tap(TapIdentifiers(paymentAccountReference: par), at: t0)
                #expect(first.greeting == nil, "the card is new to Paris")
                try await paris.sync()   // push: identifier.seen and the visit; head office knows whose card it is
                try await paris.sync()   // pull: Léa, her card, her consent
                let second = try await paris.tap(TapIdentifiers(paymentAccountReference: par), at: t0 + 60)
                let greeting = try #require(second.greeting, "after its pull, Paris greets the online customer")
                #expect(greeting.profileId == leaId && greeting.firstName == "Léa")
                let consents = try await paris.database.profile(id: leaId, at: t0 + 61).consents
                #expect(consents.map { "\($0.purpose.rawValue) \($0.granted)" } == ["marketingEmail true"])
                try await paris.sync()
                #expect(try await Self.liveProfiles(hq) == 1)
                #expect(try await hq.count("SELECT count(*)::bigint FROM visit WHERE profile_id = '\(leaId)'") == 2,
                        "the anonymous first tap joined her profile too")
                #expect(try await paris.database.balance(profileId: leaId, at: t0 + 120) == Int64(try await Self.hqBalance(hq, leaId)))

                // An update from the shop reaches the store that knows her.
                _ = try await hq.applyDigitalProfiles([(line: 0, input: DigitalProfileInput(ecommerceId: "W-42", lastName: "Martin"))], source: "webhook")
                try await paris.sync()
                #expect(try await paris.database.profile(id: leaId, at: t0 + 130).profile.lastName == "Martin")

                // Lyon: she signs up at the kiosk with the same bank card. The PAR is proof of possession: one person.
                let lyon = try await TestStore.make("lyon", headOffice: hq, url: url)
                let twin = try await lyon.database.signUp(SignUpRequest(
                    firstName: "Lea", email: "lea.kiosk@example.com", language: "fr",
                    identifiers: TapIdentifiers(paymentAccountReference: par), at: t0 + 200))
                try await lyon.sync()
                #expect(try await Self.liveProfiles(hq) == 1)
                #expect(try await hq.strings("SELECT survivor_id::text || ' ' || merged_id::text || ' ' || identifier_kind || ' ' || source FROM profile_merge")
                        == ["\(leaId) \(twin.profile.id) paymentAccountReference store lyon"], "the online profile is older and survives")
                try await lyon.sync()
                let atLyon = try #require(try await lyon.tap(TapIdentifiers(paymentAccountReference: par), at: t0 + 300).greeting)
                #expect(atLyon.profileId == leaId && atLyon.firstName == "Léa")
                try await lyon.sync()
                try await paris.sync()
                let balance = try await Self.hqBalance(hq, leaId)
                #expect(balance > 0)
                for store in [paris, lyon] {
                    #expect(try await store.database.balance(profileId: leaId, at: t0 + 400) == Int64(balance), "\(store.id)")
                }
            }
        }
    }

    @Test("the shop learns a store customer's loyalty card: the import merges them (the older store profile survives, the merge names the file), the store receives the merged profile, and a re-run changes nothing")
    func storeThenImport() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let paris = try await TestStore.make("paris", headOffice: hq, url: url)
                let t0 = Date(timeIntervalSinceNow: -3600)
                let marc = try await paris.database.signUp(SignUpRequest(
                    firstName: "Marc", email: "marc@example.com", language: "fr",
                    identifiers: TapIdentifiers(loyaltyCard: "LC-MARC"), at: t0))
                let marcId = marc.profile.id
                _ = try await paris.database.recordPurchase(PurchaseRequest(
                    receiptId: "R-1", tillDeviceId: "till-1", amountMinor: 10_000, currency: "EUR", profileId: marcId, at: t0 + 60))
                try await paris.sync()

                let path = try DigitalFixtures.file("shop-export.jsonl", """
                    {"ecommerceId":"W-7","firstName":"Marc","lastName":"Durand","email":"marc@example.com","emailVerified":true,"loyaltyCard":"LC-MARC","consents":{"profiling":{"granted":true,"at":"\(Date().formatted(.iso8601))"}},"touchpoints":[{"kind":"onlineOrder","at":"2025-06-01T12:05:00Z","amountMinor":2500,"currency":"EUR"}]}

                    """)
                let report = try await DigitalImporter(database: hq).importFile(path, kind: .profiles)
                #expect(report.failures.isEmpty && report.merges == 1)
                #expect(try await Self.liveProfiles(hq) == 1)
                #expect(try await hq.strings("SELECT survivor_id::text || ' ' || identifier_kind || ' ' || source FROM profile_merge")
                        == ["\(marcId) loyaltyCard import \(URL(fileURLWithPath: path).lastPathComponent)"], "a match on the unverified store email alone would not have merged")
                #expect(try await hq.strings("SELECT ecommerce_id || ' ' || last_name FROM profile WHERE id = '\(marcId)'") == ["W-7 Durand"])
                #expect(try await hq.count("SELECT count(*)::bigint FROM touchpoint WHERE profile_id = '\(marcId)'") == 1)

                try await paris.sync()
                let details = try await paris.database.profile(id: marcId)
                #expect(details.profile.lastName == "Durand", "the merged profile reached the store")
                #expect(details.consents.map { "\($0.purpose.rawValue) \($0.granted)" }.contains("profiling true"))
                #expect(details.balance == Int64(try await Self.hqBalance(hq, marcId)))

                let before = try await DigitalFixtures.state(hq)
                let again = try await DigitalImporter(database: hq).importFile(path, kind: .profiles)
                #expect(again.merges == 0 && again.unchanged == 1)
                #expect(try await DigitalFixtures.state(hq) == before)
            }
        }
    }

    @Test("an unverified email shared with a store profile or another online profile never merges; a verified one on both sides does")
    func unverifiedEmail() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let paris = try await TestStore.make("paris", headOffice: hq, url: url)
                let nina = try await paris.database.signUp(SignUpRequest(
                    firstName: "Nina", email: "nina@example.com", language: "fr", identifiers: TapIdentifiers(loyaltyCard: "LC-NINA"),
                    at: Date(timeIntervalSinceNow: -600)))
                try await paris.sync()
                func put(_ input: DigitalProfileInput) async throws -> DigitalProfileResult {
                    try #require(try await hq.applyDigitalProfiles([(line: 0, input: input)], source: "webhook").results.first)
                }
                // The store never verified Nina's address: the shop's verified claim on it does not make them one.
                let online = try await put(DigitalProfileInput(ecommerceId: "W-9", email: "nina@example.com", emailVerified: true, firstName: "Nina"))
                #expect(online.merged.isEmpty && online.status == "created")
                #expect(try await hq.strings("SELECT profile_id::text FROM identifier WHERE kind = 'email' AND value = 'nina@example.com'") == [nina.profile.id])
                // Two online accounts, one unverified.
                _ = try await put(DigitalProfileInput(ecommerceId: "W-10", email: "shared@example.com", emailVerified: true))
                let unverified = try await put(DigitalProfileInput(ecommerceId: "W-11", email: "shared@example.com", emailVerified: false))
                #expect(unverified.merged.isEmpty)
                #expect(try await Self.liveProfiles(hq) == 4)
                #expect(try await hq.count("SELECT count(*)::bigint FROM profile_merge") == 0)

                // Verified on both sides: one person, the older account surviving.
                let older = try await put(DigitalProfileInput(ecommerceId: "W-12", email: "twin@example.com", emailVerified: true))
                let newer = try await put(DigitalProfileInput(ecommerceId: "W-13", email: "Twin@Example.com", emailVerified: true, firstName: "Tom"))
                #expect(newer.merged.count == 1 && newer.merged != [older.profileId] && newer.profileId == older.profileId)
                #expect(try await Self.liveProfiles(hq) == 5)
                #expect(try await hq.strings("SELECT identifier_kind || ' ' || identifier_value || ' ' || source FROM profile_merge") == ["email twin@example.com webhook"])
                // The merged account's e-commerce id still finds the survivor.
                let later = try await put(DigitalProfileInput(ecommerceId: "W-13", lastName: "Twain"))
                #expect(later.profileId == older.profileId)
                #expect(try await hq.strings("SELECT first_name || ' ' || last_name FROM profile WHERE id = '\(older.profileId)'") == ["Tom Twain"])
            }
        }
    }
}
