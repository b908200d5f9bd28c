import Foundation

/// An RFC 4180 reader that knows where each record starts: fields separated by commas, records by LF or CRLF,
/// fields in double quotes may hold commas, quotes (doubled) and line breaks. Error messages name the physical
/// line of the file, which a quoted line break makes different from the record's index.
///
/// A record that breaks the rules is reported and skipped, and reading goes on at the next line; a quote that is
/// never closed swallows the rest of the file, so it is reported once and reading stops. Blank lines are skipped.
struct CSVReader {
    struct Record: Sendable, Hashable {
        /// The line the record starts on, counting from 1.
        var line: Int
        var fields: [String]
    }

    struct Failure: Error, Sendable, Hashable {
        var line: Int
        var message: String
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1

    init(_ data: Data) {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }   // a UTF-8 byte-order mark from a spreadsheet
        self.bytes = bytes
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    /// The next record, a failure for a broken one, or nil at the end of the file.
    mutating func next() -> Result<Record, Failure>? {
        skipBlankLines()
        guard index < bytes.count else { return nil }
        let start = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false, wasQuoted = false
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                index += 1
                if byte == Self.quote {
                    if index < bytes.count, bytes[index] == Self.quote {
                        field.append(Self.quote)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == Self.lf { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case Self.comma:
                guard let text = Self.text(field) else { return skipRest(start, "a field is not valid UTF-8") }
                fields.append(text)
                field = []
                wasQuoted = false
                index += 1
            case Self.lf, Self.cr:
                let crlf = byte == Self.cr && index + 1 < bytes.count && bytes[index + 1] == Self.lf
                index += crlf ? 2 : 1
                line += 1
                guard let text = Self.text(field) else { return .failure(Failure(line: start, message: "a field is not valid UTF-8")) }
                fields.append(text)
                return .success(Record(line: start, fields: fields))
            case Self.quote:
                guard field.isEmpty, !wasQuoted else {
                    return skipRest(start, "a quote inside a field that does not start with one (quote the whole field and double the quotes inside it)")
                }
                quoted = true
                wasQuoted = true
                index += 1
            default:
                if wasQuoted { return skipRest(start, "text after a closing quote (a field that starts with a quote must end with one)") }
                field.append(byte)
                index += 1
            }
        }
        if quoted {
            return .failure(Failure(line: start, message: "a quoted field is never closed (the file ends inside it)"))
        }
        guard let text = Self.text(field) else { return .failure(Failure(line: start, message: "a field is not valid UTF-8")) }
        fields.append(text)
        return .success(Record(line: start, fields: fields))
    }

    /// Every record and failure, in file order.
    mutating func all() -> [Result<Record, Failure>] {
        var results: [Result<Record, Failure>] = []
        while let result = next() { results.append(result) }
        return results
    }

    private mutating func skipBlankLines() {
        while index < bytes.count, bytes[index] == Self.lf || bytes[index] == Self.cr {
            if bytes[index] == Self.cr, index + 1 < bytes.count, bytes[index + 1] == Self.lf { index += 1 }
            index += 1
            line += 1
        }
    }

    /// Reports the broken record and resumes at the next line break.
    private mutating func skipRest(_ start: Int, _ message: String) -> Result<Record, Failure> {
        while index < bytes.count, bytes[index] != Self.lf, bytes[index] != Self.cr { index += 1 }
        return .failure(Failure(line: start, message: message))
    }

    private static func text(_ bytes: [UInt8]) -> String? {
        String(validating: bytes, as: UTF8.self)
    }
}
