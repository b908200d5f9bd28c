import Foundation
import HeadOffice
import StoreCore
import StoreSync
import SyncProtocol
import Testing

@Suite("GDPR across head office and stores", .serialized)
struct PrivacyTests {
    @Test("export gathers every store's data about a person; consent withdrawn at head office reaches the stores; erasure at head office leaves no trace of them in either database")
    func exportConsentErase() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let paris = try await TestStore.make("paris", headOffice: hq, url: url)
                let lyon = try await TestStore.make("lyon", headOffice: hq, url: url)
                let t0 = Date(timeIntervalSince1970: 1_790_000_000)
                let name = "Zéphyrine", email = "zephyrine.unique@example.net", comment = "Zéphyrine adore le rayon thé"
                let person = try await paris.database.signUp(SignUpRequest(
                    firstName: name, lastName: "Quintal", email: email, phone: "+33 6 12 34 56 78", language: "fr",
                    consents: [.marketingEmail: true], identifiers: TapIdentifiers(loyaltyCard: "LC-ZQ"), at: t0))
                let id = person.profile.id
                _ = try await paris.database.recordFeedback(score: 9, comment: comment, language: "fr", kioskDeviceId: "kiosk-paris",
                                                            profileId: id, at: t0 + 30)
                _ = try await lyon.tap(TapIdentifiers(loyaltyCard: "LC-ZQ"), at: t0 + 3600)
                for store in [paris, lyon, paris, lyon] { try await store.sync() }

                let export = try await hq.exportCustomer(id: try #require(UUID(uuidString: id)))
                let document = try #require(try JSONSerialization.jsonObject(with: Data(export.utf8)) as? [String: Any])
                #expect((document["profile"] as? [String: Any])?["email"] as? String == email)
                #expect((document["visits"] as? [Any])?.count == 1, "the Lyon visit")
                #expect(((document["feedback"] as? [[String: Any]])?.first?["comment"] as? String) == comment)
                #expect(document["storesThatKnowThem"] as? [String] == ["lyon", "paris"])

                try await hq.setConsent(profileId: try #require(UUID(uuidString: id)), purpose: "marketingEmail", granted: false,
                                        source: "hq: web form", at: t0 + 7200)
                for store in [paris, lyon] {
                    try await store.sync()
                    let current = try await store.database.consents(profileId: id)
                    #expect(current.first { $0.purpose == .marketingEmail }?.granted == false, "\(store.id)")
                }

                #expect(try await hq.eraseCustomer(id: try #require(UUID(uuidString: id)), source: "hq: ticket 42"))
                #expect(try await hq.eraseCustomer(id: try #require(UUID(uuidString: id)), source: "again") == false)
                for store in [paris, lyon, paris, lyon] { try await store.sync() }

                let traces = [name, email, "Quintal", "612345678", "thé", "LC-ZQ"]
                let leftovers = try await hq.count("""
                    SELECT count(*)::bigint FROM (
                        SELECT to_jsonb(p)::text AS t FROM profile p UNION ALL SELECT to_jsonb(i)::text FROM identifier i
                        UNION ALL SELECT to_jsonb(s)::text FROM store_identifier s UNION ALL SELECT payload::text FROM store_event
                        UNION ALL SELECT body::text FROM change
                        UNION ALL SELECT to_jsonb(f)::text FROM feedback f UNION ALL SELECT to_jsonb(c)::text FROM consent c) AS everything
                    WHERE \(traces.map { "t LIKE '%\($0)%'" }.joined(separator: " OR "))
                    """)
                #expect(leftovers == 0, "head office's tables and event log")
                #expect(try await hq.count("SELECT count(*)::bigint FROM visit") == 1, "the visit stays, for the counts")

                for store in [paris, lyon] {
                    let details = try await store.database.profile(id: id, at: t0 + 9000)
                    #expect(details.profile.isErased && details.profile.firstName.isEmpty && details.profile.email == nil, "\(store.id)")
                    #expect(try await store.database.pendingOutboxCount() == 0)
                    try await store.database.checkpoint()
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: store.database.path))
                    for trace in [name, email, "Quintal", "+33612345678", comment] {
                        #expect(bytes.range(of: Data(trace.utf8)) == nil, "\(store.id)'s SQLite file still holds '\(trace)'")
                    }
                }
            }
        }
    }
}
