import Foundation

extension LoyaltyRules {
    /// Points earned for `amountMinor` minor units of ``currency``, with the rounding rule applied once to the total.
    ///
    /// Exact integer arithmetic (points-per-unit as millionths, 128-bit intermediate) so that 0.1 point per euro on
    /// 10.00 € is exactly 1 point, never 0.9999.
    public func points(forAmountMinor amountMinor: Int64) throws -> Int64 {
        guard amountMinor >= 0 else {
            throw StoreError(.negativeAmount, "amount must not be negative, got \(amountMinor) minor units")
        }
        let perUnitMillionths = Int128((pointsPerUnit * 1_000_000).rounded())
        var denominator: Int128 = 1_000_000
        for _ in 0..<currency.minorUnitDigits { denominator *= 10 }
        let numerator = Int128(amountMinor) * perUnitMillionths
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        let rounded: Int128
        switch rounding {
        case .down: rounded = quotient
        case .up: rounded = remainder > 0 ? quotient + 1 : quotient
        case .nearest: rounded = remainder * 2 >= denominator ? quotient + 1 : quotient
        }
        guard let points = Int64(exactly: rounded) else {
            throw StoreError(.invalidArgument, "amount \(amountMinor) earns more points than can be counted")
        }
        return points
    }

    /// When points earned at `date` expire, or nil if the programme keeps them forever.
    func expiry(ofPointsEarnedAt date: Date) -> Date? {
        guard let months = pointsExpiryMonths else { return nil }
        return StoreCalendar.adding(months: months, to: date)
    }
}

/// Month arithmetic in UTC, so that expiry and tier windows do not depend on the machine's time zone.
enum StoreCalendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar
    }()

    static func adding(months: Int, to date: Date) -> Date {
        utc.date(byAdding: .month, value: months, to: date) ?? date.addingTimeInterval(Double(months) * 30.44 * 86_400)
    }
}
