import Foundation
import HeadOffice
import PostgresNIO

/// The store report computed the slow, obvious way: every raw row read into memory and counted in Swift. The
/// aggregates the triggers keep must agree with it exactly.
struct NaiveReport {
    struct VisitRow { var store: String; var day: ReportDay; var profile: UUID?; var identified: Bool; var kind: String }
    struct ProfileRow { var id: UUID; var store: String?; var origin: String; var signupOrigin: String?; var day: ReportDay }
    struct FeedbackRow { var store: String; var day: ReportDay; var score: Int }
    struct LedgerRow { var store: String?; var day: ReportDay; var delta: Int; var reason: String }
    struct TouchpointRow { var profile: UUID; var day: ReportDay }

    /// Everything a report figure depends on, field by field (the shares follow from these).
    struct Figures: Equatable, CustomStringConvertible {
        var start: String, end: String
        var visits = 0, uniqueCustomers = 0, identifiedVisits = 0, unknownVisits = 0, convertedVisits = 0
        var signUps = 0, kioskSignUps = 0, promoters = 0, passives = 0, detractors = 0
        var repeatCustomers = 0, omnichannelCustomers = 0, pointsIssued = 0, pointsRedeemed = 0
        var onlineOnlyCustomers: Int?
        var tapsByKind: [String: Int] = [:]

        init(start: String, end: String) { self.start = start; self.end = end }

        init(_ f: ReportFigures) {
            self.init(start: f.start.description, end: f.end.description)
            visits = f.visits; uniqueCustomers = f.uniqueCustomers; identifiedVisits = f.identifiedVisits
            unknownVisits = f.unknownVisits; convertedVisits = f.convertedVisits; signUps = f.signUps
            kioskSignUps = f.kioskSignUps; promoters = f.nps.promoters; passives = f.nps.passives
            detractors = f.nps.detractors; repeatCustomers = f.repeatCustomers
            omnichannelCustomers = f.omnichannelCustomers; pointsIssued = f.pointsIssued
            pointsRedeemed = f.pointsRedeemed; tapsByKind = f.tapsByKind; onlineOnlyCustomers = f.onlineOnlyCustomers
        }

        var description: String {
            "\(start)…\(end): visits \(visits) customers \(uniqueCustomers) identified \(identifiedVisits) unknown \(unknownVisits) "
                + "converted \(convertedVisits) signUps \(signUps)/\(kioskSignUps) nps \(promoters)/\(passives)/\(detractors) "
                + "repeat \(repeatCustomers) omni \(omnichannelCustomers) onlineOnly \(onlineOnlyCustomers.map(String.init) ?? "-") points +\(pointsIssued)/-\(pointsRedeemed) kinds \(tapsByKind.sorted { $0.key < $1.key })"
        }
    }

    var stores: [(id: String, region: String?)]
    var visits: [VisitRow]
    var profiles: [ProfileRow]
    var feedback: [FeedbackRow]
    var ledger: [LedgerRow]
    var touchpoints: [TouchpointRow]

    static func load(_ hq: HeadOfficeDatabase) async throws -> NaiveReport {
        let logger = HeadOfficeHarness.quietLogger("naive")
        return try await hq.read { c in
            NaiveReport(
                stores: try await c.query("SELECT id, region FROM store", logger: logger).decode((String, String?).self).gathered()
                    .map { (id: $0.0, region: $0.1) },
                visits: try await c.query("SELECT store_id, at, profile_id, identified_at_tap, identifier_kind FROM visit", logger: logger)
                    .decode((String, Date, UUID?, Bool, String).self).gathered()
                    .map { VisitRow(store: $0.0, day: ReportDay($0.1), profile: $0.2, identified: $0.3, kind: $0.4) },
                profiles: try await c.query("SELECT id, origin_store_id, origin, signup_origin, created_at FROM profile", logger: logger)
                    .decode((UUID, String?, String, String?, Date).self).gathered()
                    .map { ProfileRow(id: $0.0, store: $0.1, origin: $0.2, signupOrigin: $0.3, day: ReportDay($0.4)) },
                feedback: try await c.query("SELECT store_id, at, score FROM feedback", logger: logger)
                    .decode((String, Date, Int).self).gathered().map { FeedbackRow(store: $0.0, day: ReportDay($0.1), score: $0.2) },
                ledger: try await c.query("SELECT store_id, at, delta, reason FROM ledger_entry", logger: logger)
                    .decode((String?, Date, Int, String).self).gathered()
                    .map { LedgerRow(store: $0.0, day: ReportDay($0.1), delta: $0.2, reason: $0.3) },
                touchpoints: try await c.query("SELECT profile_id, at FROM touchpoint", logger: logger)
                    .decode((UUID, Date).self).gathered().map { TouchpointRow(profile: $0.0, day: ReportDay($0.1)) })
        }
    }

    func storeIds(_ scope: ReportScope) -> Set<String> {
        switch scope {
        case .chain: return Set(stores.map(\.id))
        case .store(let id): return [id]
        case .region(let region): return Set(stores.filter { $0.region == region }.map(\.id))
        }
    }

    func figures(_ scope: ReportScope, from: ReportDay, to: ReportDay) -> Figures {
        let ids = storeIds(scope)
        let range = from...to
        var f = Figures(start: from.description, end: to.description)
        let visits = self.visits.filter { ids.contains($0.store) && range.contains($0.day) }
        f.visits = visits.count
        f.identifiedVisits = visits.filter(\.identified).count
        f.unknownVisits = visits.filter { !$0.identified }.count
        // Converted: unknown at the tap, and since bound to someone who signed up at that same store.
        let signedUpAt = Dictionary(uniqueKeysWithValues: profiles.map { ($0.id, $0.store) })
        f.convertedVisits = visits.filter { visit in
            guard !visit.identified, let profile = visit.profile else { return false }
            return signedUpAt[profile] == visit.store
        }.count
        for visit in visits { f.tapsByKind[visit.kind, default: 0] += 1 }
        var perCustomer: [UUID: Int] = [:]
        for visit in visits { if let profile = visit.profile { perCustomer[profile, default: 0] += 1 } }
        f.uniqueCustomers = perCustomer.count
        f.repeatCustomers = perCustomer.values.filter { $0 >= 2 }.count
        let online = Set(touchpoints.filter { range.contains($0.day) }.map(\.profile))
        f.omnichannelCustomers = perCustomer.keys.filter(online.contains).count
        if case .chain = scope {
            // Online and at no store of the chain in the range (a merge's alias holds no rows of its own by now).
            let inStore = Set(visits.compactMap(\.profile))
            f.onlineOnlyCustomers = online.subtracting(inStore).count
        }
        let signUps = profiles.filter { $0.origin == "store" && $0.store.map(ids.contains) == true && range.contains($0.day) }
        f.signUps = signUps.count
        f.kioskSignUps = signUps.filter { $0.signupOrigin == "kiosk" }.count
        let answers = feedback.filter { ids.contains($0.store) && range.contains($0.day) }
        f.promoters = answers.filter { $0.score >= 9 }.count
        f.passives = answers.filter { (7...8).contains($0.score) }.count
        f.detractors = answers.filter { $0.score <= 6 }.count
        let entries = ledger.filter { $0.store.map(ids.contains) == true && range.contains($0.day) }
        f.pointsIssued = entries.filter { $0.delta > 0 }.reduce(0) { $0 + $1.delta }
        f.pointsRedeemed = -entries.filter { $0.reason == "redemption" }.reduce(0) { $0 + $1.delta }
        return f
    }
}
