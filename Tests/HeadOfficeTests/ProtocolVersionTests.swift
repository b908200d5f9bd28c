import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HeadOffice
import StoreCore
import StoreSync
import SyncProtocol
import Testing

/// A rolling upgrade: head office on the current release, a store one protocol version behind, then upgraded.
/// The old store is played by the public client types speaking version 1 (what the release before sends: its
/// batches say 1, its pulls name no version, and it decodes only version 1's change kinds).
@Suite("Sync protocol versions")
struct ProtocolVersionTests {
    @Test("a version-1 store pushes and pulls, gets only what version 1 knows, and what it missed once it speaks version 2")
    func rollingUpgrade() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let store = try await TestStore.make("lille", headOffice: hq, url: url)
                let link = try HeadOfficeLink(url: url, credential: store.credential, pageSize: 50)
                let old = HeadOfficeClient(link: link, protocolVersion: 1)
                let oldEngine = SyncEngine(database: store.database, client: old, logger: HeadOfficeHarness.quietLogger("sync"))

                try await hq.setReward(CatalogReward(id: "scarf", name: "Silk scarf", cost: 800))
                try await hq.setLoyaltyRules(json: try ChainLoyaltyRulesTests.rulesJSON())
                try await hq.setRedemptionAllowance(storeId: "lille", points: 200)
                _ = try await store.database.signUp(SignUpRequest(firstName: "Ada", email: "ada@example.com", language: "fr",
                                                                   identifiers: TapIdentifiers(cardUID: "04AB12CD34EF56")))
                try await oldEngine.syncOnce()

                // Its push is taken whole.
                let issued = try #require(try await store.database.syncState()).acknowledgedSequence
                #expect(issued > 0)
                #expect(try await hq.count("SELECT count(*)::bigint FROM store_event WHERE store_id = 'lille'") == Int(issued))
                // Its pull has the catalog (version 1) and none of the kinds it cannot decode.
                let page = try await old.changes(after: nil, limit: 500)
                #expect(page.changes.contains { $0.kind == .rewardCatalog })
                #expect(page.changes.allSatisfy { $0.kind.introducedIn == 1 }, "\(page.changes.map(\.kind))")
                #expect(page.cursor.hasSuffix("v1"), "the cursor remembers what the store skipped")
                let legacy = try await Self.rawPull(link, query: "limit=500")
                #expect(!legacy.contains("loyaltyRules") && !legacy.contains("storeSettings"),
                        "a pull that names no version, as the release before sends it, is version 1")
                var standing = try await store.database.headOfficeStanding()
                #expect(standing.rewardsFromHeadOffice && !standing.rulesFromHeadOffice && standing.redemptionAllowance == 0)

                // Head office changes the rules and the allowance again while the store is still on version 1.
                try await hq.setRedemptionAllowance(storeId: "lille", points: 300)
                try await hq.setLoyaltyRules(json: try ChainLoyaltyRulesTests.rulesJSON(["signUpBonus": 25]))
                try await oldEngine.syncOnce()
                standing = try await store.database.headOfficeStanding()
                #expect(!standing.rulesFromHeadOffice && standing.redemptionAllowance == 0)

                // Upgraded: the first pull at version 2 brings the latest of each kind it had missed, once.
                let current = HeadOfficeClient(link: link)
                let cursor = try await store.database.syncState()?.inboundCursor
                let catchUp = try await current.changes(after: cursor, limit: 500)
                #expect(catchUp.changes.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.loyaltyRules, .storeSettings])
                #expect(catchUp.changes.first { $0.kind == .storeSettings }?.storeSettings?.redemptionAllowance == 300)
                #expect(catchUp.changes.first { $0.kind == .loyaltyRules }?.loyaltyRules?.signUpBonus == 25)
                #expect(!catchUp.cursor.hasSuffix("v1"))
                let engine = SyncEngine(database: store.database, client: current, logger: HeadOfficeHarness.quietLogger("sync"))
                try await engine.syncOnce()
                standing = try await store.database.headOfficeStanding()
                #expect(standing.rulesFromHeadOffice && standing.redemptionAllowance == 300)
                #expect(store.database.rules.signUpBonus == 25)
                let after = try await store.database.syncState()?.inboundCursor
                #expect(try await current.changes(after: after, limit: 500).changes.isEmpty, "nothing sent twice")
                // And a version-2 change now reaches it directly.
                try await hq.setRedemptionAllowance(storeId: "lille", points: 50)
                try await engine.syncOnce()
                #expect(try await store.database.headOfficeStanding().redemptionAllowance == 50)
            }
        }
    }

    @Test("versions head office does not accept are refused, naming the versions it accepts")
    func refusals() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let store = try await TestStore.make("rouen", headOffice: hq, url: url)
                let link = try HeadOfficeLink(url: url, credential: store.credential)
                _ = try await store.database.signUp(SignUpRequest(firstName: "Ada", email: "ada@example.com", language: "fr"))
                let events = try await store.database.pendingOutboxEvents().map(SyncEvent.init(outbox:))
                for version in [0, 3] {
                    let client = HeadOfficeClient(link: link, protocolVersion: version)
                    for attempt in ["push", "pull"] {
                        do {
                            if attempt == "push" {
                                _ = try await client.pushEvents(events, storeId: "rouen")
                            } else {
                                _ = try await client.changes(after: nil, limit: 10)
                            }
                            Issue.record("version \(version) \(attempt) was accepted")
                        } catch HeadOfficeClient.Failure.refused(let status, let body) {
                            #expect(status == 400)
                            #expect(body.reason == "protocolVersion \(version) is not supported: head office accepts 1 to 2",
                                    "\(attempt): \(body.reason)")
                        }
                    }
                }
                #expect(try await hq.count("SELECT count(*)::bigint FROM store_event") == 0, "nothing of a refused push is stored")
                // Both versions it accepts work.
                for version in [1, 2] {
                    let answer = try await HeadOfficeClient(link: link, protocolVersion: version).pushEvents(events, storeId: "rouen")
                    #expect(answer.acknowledgedSequence == Int64(events.count))
                }
            }
        }
    }

    /// A signed GET with exactly `query`, as an older client builds it.
    static func rawPull(_ link: HeadOfficeLink, query: String) async throws -> String {
        let path = "/v1/sync/changes?\(query)"
        let signed = try RequestSignature.sign(method: "GET", pathAndQuery: path, body: Data(), credential: link.credential)
        var request = URLRequest(url: URL(string: link.url.absoluteString + path)!)
        for header in signed.all { request.setValue(header.value, forHTTPHeaderField: header.name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        return String(decoding: data, as: UTF8.self)
    }
}
