import Foundation
import GRDB

/// Dates as the database stores them: `yyyy-MM-dd HH:mm:ss.SSS` in UTC, GRDB's own format, written without
/// ICU's `DateFormatter` (which cost more than the rest of a tap on Linux). Years are clamped to 0000–9999,
/// the range the format can hold.
enum StoreDate {
    static func text(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let limit = 253_402_300_799.999  // 9999-12-31 23:59:59.999
        let clamped = seconds.isFinite ? min(max(seconds, -62_167_219_200), limit) : 0
        // A microsecond of slack: a date parsed back from its own text can land a hair below the millisecond it
        // names, and must not be written one millisecond earlier the second time round.
        let millis = Int64((clamped * 1000 + 0.001).rounded(.down))
        var days = millis / 86_400_000
        var ofDay = millis % 86_400_000
        if ofDay < 0 {
            ofDay += 86_400_000
            days -= 1
        }
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        var bytes = [UInt8]()
        bytes.reserveCapacity(23)
        func append(_ value: Int64, width: Int) {
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            var remaining = value
            for index in stride(from: width - 1, through: 0, by: -1) {
                digits[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            }
            bytes += digits
        }
        append(year, width: 4)
        bytes.append(UInt8(ascii: "-"))
        append(month, width: 2)
        bytes.append(UInt8(ascii: "-"))
        append(day, width: 2)
        bytes.append(UInt8(ascii: " "))
        append(ofDay / 3_600_000, width: 2)
        bytes.append(UInt8(ascii: ":"))
        append(ofDay / 60_000 % 60, width: 2)
        bytes.append(UInt8(ascii: ":"))
        append(ofDay / 1000 % 60, width: 2)
        bytes.append(UInt8(ascii: "."))
        append(ofDay % 1000, width: 3)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension StoreDate {
    /// Every record writes its dates with ``StoreDate/text(_:)``.
    static let strategy = DatabaseDateEncodingStrategy.custom { StoreDate.text($0) }
}
