import Foundation
#if canImport(Glibc)
import Glibc  // arc4random_buf (glibc 2.36+)
#elseif canImport(Darwin)
import Darwin
#endif

/// UUID version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then random bits.
///
/// Time-ordered ids keep SQLite's primary-key B-trees append-mostly and let head office order events from
/// many stores roughly by creation time without trusting a sequence it did not issue.
enum UUIDv7 {
    static func make(at date: Date = Date()) -> UUID {
        // All 16 bytes in one draw from the system's generator (one getrandom call on Linux; two `next()` calls on
        // `SystemRandomNumberGenerator` are two system calls, and Foundation's `UUID()` opens, reads and closes
        // /dev/urandom). The time, version and variant bits are then written over it.
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { buffer in
            arc4random_buf(buffer.baseAddress!, buffer.count)
        }
        let millis = unixMillis(date)
        bytes.0 = UInt8(truncatingIfNeeded: millis >> 40)
        bytes.1 = UInt8(truncatingIfNeeded: millis >> 32)
        bytes.2 = UInt8(truncatingIfNeeded: millis >> 24)
        bytes.3 = UInt8(truncatingIfNeeded: millis >> 16)
        bytes.4 = UInt8(truncatingIfNeeded: millis >> 8)
        bytes.5 = UInt8(truncatingIfNeeded: millis)
        bytes.6 = (bytes.6 & 0x0F) | 0x70  // version 7
        bytes.8 = (bytes.8 & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(uuid: bytes)
    }

    private static func unixMillis(_ date: Date) -> UInt64 {
        let seconds = date.timeIntervalSince1970
        // Clamp instead of trapping: a clock before 1970 or absurdly far ahead must not crash the till.
        return seconds.isFinite && seconds > 0 ? min(UInt64(seconds * 1000), (1 << 48) - 1) : 0
    }

    static func make(at date: Date, using generator: inout some RandomNumberGenerator) -> UUID {
        let millis = unixMillis(date)
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index)))
        }
        // Two draws instead of ten: each draw from the system generator is a system call.
        let high = generator.next()
        let low = generator.next()
        for index in 6..<11 { bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * (index - 6))) }
        for index in 11..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * (index - 11))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
    }

    /// The lowercase text form stored in the database (what `uuidString.lowercased()` gives, without the
    /// uppercase string and its Unicode-aware lowercasing).
    static func string(at date: Date = Date()) -> String {
        lowercaseString(make(at: date))
    }

    static func lowercaseString(_ uuid: UUID) -> String {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                let digits: StaticString = "0123456789abcdef"
                var offset = 0
                digits.withUTF8Buffer { hex in
                    for index in 0..<16 {
                        if index == 4 || index == 6 || index == 8 || index == 10 {
                            buffer[offset] = UInt8(ascii: "-")
                            offset += 1
                        }
                        buffer[offset] = hex[Int(bytes[index] >> 4)]
                        buffer[offset + 1] = hex[Int(bytes[index] & 0x0F)]
                        offset += 2
                    }
                }
                return offset
            }
        }
    }
}

/// Record ids are UUID text; anything else is refused before it reaches a query.
enum RecordID {
    static func normalized(_ text: String, what: String) throws -> String {
        let trimmed = text.trimmed(.whitespacesAndNewlines)
        guard let uuid = UUID(uuidString: trimmed) else {
            throw StoreError(.invalidArgument, "\(what) must be a UUID, got \"\(Sanitized.excerpt(text))\"")
        }
        return uuid.uuidString.lowercased()
    }
}
