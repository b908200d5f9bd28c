import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import HeadOffice
import PostgresNIO
import StoreCore
import StoreSync
import SyncProtocol
import Testing

/// Head office on the previous release's schema, with a store's data in it, upgraded in place by the current
/// release: two `parcours hq serve` nodes started at once on it apply the missing migration once, under the
/// advisory lock `HeadOfficeMigrations.migrate` takes, and every row survives.
@Suite("Head office upgrade from the previous release")
struct HeadOfficeUpgradeTests {
    /// A schema several releases old (stop 11), so that v7's, v8's, v9's and v10's backfills all run on a store's data.
    static let previous = "v6"

    @Test("two nodes starting together on the previous schema migrate it once, keep every row and serve")
    func twoNodesUpgradeOnce() async throws {
        try await HeadOfficeHarness.withDatabase(migratedUpTo: Self.previous) { hq, databaseURL in
            #expect(try await hq.strings("SELECT name FROM schema_migration ORDER BY applied_at, name") == ["v1", "v2", "v3", "v4", "v5", "v6"])
            // Data as the previous releases wrote it: a store's batches through v4's hq_ingest, the feed, v5's rules,
            // v6's report aggregates.
            let store = try await HeadOfficeHarness.withServer(hq) { url in
                let store = try await TestStore.make("rouen", headOffice: hq, url: url)
                let marie = try await store.database.signUp(SignUpRequest(
                    firstName: "Marie", email: "marie@example.com", language: "fr", identifiers: TapIdentifiers(cardUID: "04AB12CD34EF56"))).profile.id
                for index in 0..<12 {
                    _ = try await store.database.recordPurchase(PurchaseRequest(
                        receiptId: "R-\(index)", tillDeviceId: "till-1", amountMinor: 1_000 + Int64(index) * 10, currency: "EUR", profileId: marie))
                    _ = try await store.tap(TapIdentifiers(cardUID: String(format: "04C0%010X", index)))
                }
                _ = try await store.tap(TapIdentifiers(cardUID: "04AB12CD34EF56"))   // Marie's card: a known customer's visit
                _ = try await store.database.recordFeedback(score: 9, comment: "Parfait", language: "fr", kioskDeviceId: "kiosk-rouen")
                try await Self.pushAsBeforeV10(store, to: hq)
                return store
            }
            try await hq.setLoyaltyRules(json: try ChainLoyaltyRulesTests.rulesJSON())
            let tables = ["store_event", "profile", "visit", "purchase", "ledger_entry", "feedback", "change", "store", "loyalty_rules"]
            var before: [String: Int] = [:]
            for table in tables { before[table] = try await hq.count("SELECT count(*)::bigint FROM \(table)") }
            let points = try await hq.count("SELECT sum(delta)::bigint FROM ledger_entry")
            #expect(before["visit"] == 13 && before["purchase"] == 12)

            let ports = [try ProcessRig.freePort(), try ProcessRig.freePort()]
            let nodes = try ports.map { port in
                try ProcessRig.Child(["hq", "serve", "--database-url", databaseURL, "--port", "\(port)"], environment: [:])
            }
            for port in ports {
                var health: Int?
                for _ in 0..<300 where health != 200 {
                    health = try? await Self.status("http://127.0.0.1:\(port)/health")
                    if health != 200 { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(health == 200, "node on \(port) serves")
            }
            let applied = try await hq.strings("SELECT name FROM schema_migration ORDER BY substr(name, 2)::int")
            #expect(applied == ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10"], "each migration once")
            // v10 starts each store's projection where its acknowledged mark is: nothing is applied a second time.
            #expect(try await hq.count("SELECT count(*)::bigint FROM store s JOIN store_projection p ON p.store_id = s.id WHERE p.projected_sequence = s.acknowledged_sequence AND s.acknowledged_sequence > 0") == 1)
            for table in tables { #expect(try await hq.count("SELECT count(*)::bigint FROM \(table)") == before[table], "\(table)") }
            #expect(try await hq.count("SELECT sum(delta)::bigint FROM ledger_entry") == points)
            // v7 backfilled its month roll-ups from the days already there, v8 the region's people and v9 the store's
            // longer periods from the stores' day rows: the figures are those a rebuild from the raw rows gives.
            #expect(try await hq.count("SELECT COALESCE(sum(visits), 0)::bigint FROM report_store_month") == 13)
            let today = ReportDay(Date())
            let year = try ReportPeriod(from: today.start(of: .year), to: today.end(of: .year))
            let upgraded = try await hq.storeReport(scope: .chain, period: year, by: .month)
            #expect(upgraded.total.visits == 13 && upgraded.total.uniqueCustomers == 1 && upgraded.total.pointsIssued == points)
            let region = ReportScope.region("Île-de-France")
            let upgradedRegion = try await hq.storeReport(scope: region, period: year, by: .week)
            #expect(upgradedRegion.total.visits == 13 && upgradedRegion.total.uniqueCustomers == 1, "Marie")
            #expect(try await hq.count("SELECT count(*)::bigint FROM report_customer_bucket WHERE scope = 'region:Île-de-France'") > 0)
            let upgradedStore = try await hq.storeReport(scope: .store("rouen"), period: year, by: .month)
            #expect(upgradedStore.total.visits == 13 && upgradedStore.total.uniqueCustomers == 1, "Marie")
            #expect(try await hq.count("SELECT count(*)::bigint FROM report_customer_bucket WHERE scope = 'rouen' AND grain = 'y'") == 1)
            try await hq.rebuildReports()
            #expect(try await hq.storeReport(scope: .chain, period: year, by: .month) == upgraded)
            #expect(try await hq.storeReport(scope: region, period: year, by: .week) == upgradedRegion)
            #expect(try await hq.storeReport(scope: .store("rouen"), period: year, by: .month) == upgradedStore)

            // The store carries on against the upgraded nodes, through either of them.
            for (round, port) in ports.enumerated() {
                let link = try HeadOfficeLink(url: URL(string: "http://127.0.0.1:\(port)")!, credential: store.credential)
                let engine = SyncEngine(database: store.database, client: HeadOfficeClient(link: link), logger: HeadOfficeHarness.quietLogger("sync"))
                _ = try await store.tap(TapIdentifiers(cardUID: String(format: "04D0%010X", round)))
                try await engine.syncOnce()
            }
            #expect(try await hq.count("SELECT count(*)::bigint FROM visit") == 15)
            let highest = try #require(try await store.database.syncState()).acknowledgedSequence
            #expect(try await hq.count("SELECT count(*)::bigint FROM store_event") == Int(highest))
            #expect(try await store.database.headOfficeStanding().rulesFromHeadOffice)
            for node in nodes { node.crash() }
        }
    }

    @Test("a node refuses a schema newer than it knows, naming the migration")
    func newerSchemaRefused() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            _ = try await hq.count("INSERT INTO schema_migration (name) VALUES ('v99') RETURNING 1")
            let error = await #expect(throws: HeadOfficeError.self) { try await HeadOfficeMigrations.migrate(hq) }
            #expect(error?.description.contains("v99") == true, "\(String(describing: error))")
        }
    }

    /// A push as the releases before v10 made it: one call of v4's `hq_ingest`, which stored and applied the batch
    /// in one transaction (this release's nodes call v10's `hq_receive` and `hq_project`, which v6 does not have).
    static func pushAsBeforeV10(_ store: TestStore, to hq: HeadOfficeDatabase) async throws {
        while true {
            let events = try await store.database.pendingOutboxEvents(limit: 500).map(SyncEvent.init(outbox:))
            guard !events.isEmpty else { return }
            let batch = try ValidatedBatch(PushBatch(storeId: store.id, events: events), authenticatedStore: store.id)
            let checks = ValidatedBatch.payloadChecks
            let acknowledged = try await hq.transaction { connection in
                try await connection.query("""
                    SELECT o_acknowledged FROM hq_ingest(\(batch.storeId), \(batch.sequences)::bigint[], \(batch.ids)::text[], \(batch.types)::text[],
                        \(batch.schemaVersions)::bigint[], \(batch.payloads)::text[], \(batch.createdAts)::text[], \(Date()),
                        \(checks.types)::text[], \(checks.fields)::text[], \(checks.kinds)::text[], \(IdentityResolver.possessionKinds.sorted())::text[],
                        \(AdvisoryLock.identity.rawValue), \(AdvisoryLock.feed.rawValue))
                    """, logger: HeadOfficeHarness.quietLogger("push")).decode(Int64.self).gathered().first ?? 0
            }
            #expect(acknowledged == events.last?.sequence)
            try await store.database.acknowledgeOutbox(through: acknowledged)
        }
    }

    static func status(_ url: String) async throws -> Int {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 5
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}
