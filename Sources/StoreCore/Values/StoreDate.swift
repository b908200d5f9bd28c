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
        return text(millis: Int64((clamped * 1000 + 0.001).rounded(.down)))
    }

    /// The text of a time in Unix milliseconds, years 0000–9999.
    static func text(millis: Int64) -> String {
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

        // Written into a fixed 23-byte buffer: one digit array per field cost more than the arithmetic above.
        return String(unsafeUninitializedCapacity: 23) { buffer in
            func put(_ value: Int64, width: Int, at offset: Int) {
                var remaining = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: remaining % 10)
                    remaining /= 10
                }
            }
            put(year, width: 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(month, width: 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(day, width: 2, at: 8)
            buffer[10] = UInt8(ascii: " ")
            put(ofDay / 3_600_000, width: 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(ofDay / 60_000 % 60, width: 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(ofDay / 1000 % 60, width: 2, at: 17)
            buffer[19] = UInt8(ascii: ".")
            put(ofDay % 1000, width: 3, at: 20)
            return 23
        }
    }
}

extension StoreDate {
    /// Every record writes its dates with ``StoreDate/text(_:)``.
    static let strategy = DatabaseDateEncodingStrategy.custom { StoreDate.text($0) }
}
