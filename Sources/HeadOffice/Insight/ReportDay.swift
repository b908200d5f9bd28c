import Foundation

/// A UTC calendar day, the unit of every report ("2026-11-03").
public struct ReportDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let ordinal: Int

    public init(ordinal: Int) { self.ordinal = ordinal }

    public init(_ date: Date) { ordinal = Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) }

    /// Parses "YYYY-MM-DD", or throws naming `field`.
    public init(parsing text: String, field: String) throws {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1970...9999).contains(year), (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day) else {
            throw HeadOfficeError(.invalidArgument, "\(field) must be a day written YYYY-MM-DD, not '\(text.prefix(40))'")
        }
        ordinal = Self.ordinal(year: year, month: month, day: day)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text, field: "day")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String {
        let (year, month, day) = components
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    public var date: Date { Date(timeIntervalSince1970: Double(ordinal) * 86_400) }

    public static func < (lhs: ReportDay, rhs: ReportDay) -> Bool { lhs.ordinal < rhs.ordinal }

    public func adding(days: Int) -> ReportDay { ReportDay(ordinal: ordinal + days) }

    /// The first day of the grain's period holding this day: itself, its Monday, or the 1st of its month.
    public func start(of grain: ReportGrain) -> ReportDay {
        switch grain {
        case .day: return self
        case .week: return ReportDay(ordinal: ordinal - (ordinal + 3) % 7)  // 1970-01-01 was a Thursday
        case .month:
            let (year, month, _) = components
            return ReportDay(ordinal: Self.ordinal(year: year, month: month, day: 1))
        case .quarter:
            let (year, month, _) = components
            return ReportDay(ordinal: Self.ordinal(year: year, month: (month - 1) / 3 * 3 + 1, day: 1))
        case .year:
            return ReportDay(ordinal: Self.ordinal(year: components.0, month: 1, day: 1))
        }
    }

    /// The last day of the grain's period holding this day.
    public func end(of grain: ReportGrain) -> ReportDay {
        switch grain {
        case .day: return self
        case .week: return start(of: .week).adding(days: 6)
        case .month:
            let (year, month, _) = components
            return ReportDay(ordinal: Self.ordinal(year: year, month: month, day: Self.daysIn(month: month, year: year)))
        case .quarter:
            let (year, month, _) = components
            let last = (month - 1) / 3 * 3 + 3
            return ReportDay(ordinal: Self.ordinal(year: year, month: last, day: Self.daysIn(month: last, year: year)))
        case .year:
            return ReportDay(ordinal: Self.ordinal(year: components.0, month: 12, day: 31))
        }
    }

    var components: (Int, Int, Int) {
        // Civil-from-days (Howard Hinnant's algorithm), exact for the proleptic Gregorian calendar.
        let z = ordinal + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func ordinal(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

public enum ReportGrain: String, Sendable, Codable, CaseIterable {
    case day, week, month, quarter, year

    /// The code the aggregate tables use.
    var code: String {
        switch self {
        case .day: "d"
        case .week: "w"
        case .month: "m"
        case .quarter: "q"
        case .year: "y"
        }
    }
}

/// Inclusive days, from ≤ to, at most ten years.
public struct ReportPeriod: Sendable, Hashable {
    public let from: ReportDay
    public let to: ReportDay

    public init(from: ReportDay, to: ReportDay) throws {
        guard from <= to else { throw HeadOfficeError(.invalidArgument, "from (\(from)) must not be after to (\(to))") }
        guard to.ordinal - from.ordinal < 3_660 else { throw HeadOfficeError(.invalidArgument, "a report covers at most ten years") }
        self.from = from
        self.to = to
    }

    /// The grain's periods overlapping this one, each clipped to it, and whether it is whole.
    public func buckets(by grain: ReportGrain) -> [(start: ReportDay, end: ReportDay, whole: Bool)] {
        var buckets: [(ReportDay, ReportDay, Bool)] = []
        var start = from.start(of: grain)
        while start <= to {
            let end = start.end(of: grain)
            buckets.append((max(start, from), min(end, to), start >= from && end <= to))
            start = end.adding(days: 1)
        }
        return buckets
    }

    /// The months wholly inside this period, as the first day of the first and of the last one; nil when none is.
    var wholeMonths: (first: ReportDay, last: ReportDay)? {
        let first = from == from.start(of: .month) ? from : from.end(of: .month).adding(days: 1)
        let last = to == to.end(of: .month) ? to.start(of: .month) : to.start(of: .month).adding(days: -1).start(of: .month)
        return first <= last ? (first, last) : nil
    }

    /// The coarsest grain whose whole periods tile this one exactly (whole years, quarters, months or weeks, else days).
    var tilingGrain: ReportGrain {
        for grain in [ReportGrain.year, .quarter, .month, .week] where from == from.start(of: grain) && to == to.end(of: grain) {
            return grain
        }
        return .day
    }
}
