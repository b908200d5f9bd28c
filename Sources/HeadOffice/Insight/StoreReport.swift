import Foundation

/// Which stores a report covers.
public enum ReportScope: Sendable, Hashable {
    case chain
    case store(String)
    case region(String)
}

/// What a report says about one period: the figures of issue 7, each traceable to its rows (``ReportFigure``).
public struct ReportFigures: Sendable, Hashable, Codable {
    public struct NPS: Sendable, Hashable, Codable {
        public var responses: Int
        public var promoters: Int
        public var passives: Int
        public var detractors: Int
        /// % promoters − % detractors, from −100 to 100; nil without responses.
        public var score: Double?

        init(promoters: Int, passives: Int, detractors: Int) {
            self.promoters = promoters
            self.passives = passives
            self.detractors = detractors
            responses = promoters + passives + detractors
            score = responses == 0 ? nil : Double(promoters - detractors) * 100 / Double(responses)
        }
    }

    public var start: ReportDay
    public var end: ReportDay
    public var visits: Int
    public var uniqueCustomers: Int
    public var identifiedVisits: Int
    public var identifiedShare: Double?
    public var unknownVisits: Int
    /// Unknown taps whose card was later bound to a customer: the person signed up (or was given the card).
    public var convertedVisits: Int
    public var conversion: Double?
    public var signUps: Int
    public var kioskSignUps: Int
    public var nps: NPS
    public var repeatCustomers: Int
    public var repeatRate: Double?
    public var omnichannelCustomers: Int
    public var omnichannelShare: Double?
    /// Seen online (a web visit, an online order, an email click) and in none of the chain's stores in the period.
    /// A chain figure: nil for a store or a region, whose online customers cannot be told apart from the chain's.
    public var onlineOnlyCustomers: Int?
    public var pointsIssued: Int
    public var pointsRedeemed: Int
    public var tapsByKind: [String: Int]

    init(start: ReportDay, end: ReportDay, additive: AdditiveFigures, distinct: DistinctFigures, tapsByKind: [String: Int]) {
        func share(_ part: Int, _ whole: Int) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }
        self.start = start
        self.end = end
        visits = additive.visits
        identifiedVisits = additive.identifiedVisits
        identifiedShare = share(additive.identifiedVisits, additive.visits)
        unknownVisits = additive.unknownVisits
        convertedVisits = additive.convertedVisits
        conversion = share(additive.convertedVisits, additive.unknownVisits)
        signUps = additive.signUps
        kioskSignUps = additive.kioskSignUps
        nps = NPS(promoters: additive.promoters, passives: additive.passives, detractors: additive.detractors)
        uniqueCustomers = distinct.customers
        repeatCustomers = distinct.repeatCustomers
        repeatRate = share(distinct.repeatCustomers, distinct.customers)
        omnichannelCustomers = distinct.omnichannelCustomers
        omnichannelShare = share(distinct.omnichannelCustomers, distinct.customers)
        onlineOnlyCustomers = distinct.onlineCustomers.map { $0 - distinct.omnichannelCustomers }
        pointsIssued = additive.pointsIssued
        pointsRedeemed = additive.pointsRedeemed
        self.tapsByKind = tapsByKind
    }
}

/// The figures that add up across days and stores.
struct AdditiveFigures: Sendable, Hashable {
    var visits = 0, identifiedVisits = 0, unknownVisits = 0, convertedVisits = 0
    var signUps = 0, kioskSignUps = 0
    var promoters = 0, passives = 0, detractors = 0
    var pointsIssued = 0, pointsRedeemed = 0

    static func + (lhs: AdditiveFigures, rhs: AdditiveFigures) -> AdditiveFigures {
        AdditiveFigures(visits: lhs.visits + rhs.visits, identifiedVisits: lhs.identifiedVisits + rhs.identifiedVisits,
                        unknownVisits: lhs.unknownVisits + rhs.unknownVisits, convertedVisits: lhs.convertedVisits + rhs.convertedVisits,
                        signUps: lhs.signUps + rhs.signUps, kioskSignUps: lhs.kioskSignUps + rhs.kioskSignUps,
                        promoters: lhs.promoters + rhs.promoters, passives: lhs.passives + rhs.passives,
                        detractors: lhs.detractors + rhs.detractors, pointsIssued: lhs.pointsIssued + rhs.pointsIssued,
                        pointsRedeemed: lhs.pointsRedeemed + rhs.pointsRedeemed)
    }
}

/// The figures that count people, which do not add up: the same customer on two days is one customer.
struct DistinctFigures: Sendable, Hashable {
    var customers = 0, repeatCustomers = 0, omnichannelCustomers = 0
    /// Everyone seen online, in store or not; counted for the chain only.
    var onlineCustomers: Int?
}

public struct StoreReport: Sendable, Hashable, Codable {
    public struct Scope: Sendable, Hashable, Codable {
        public var kind: String
        public var id: String?
        public var name: String?
    }

    public var scope: Scope
    public var from: ReportDay
    public var to: ReportDay
    public var by: ReportGrain
    public var buckets: [ReportFigures]
    public var total: ReportFigures
}
