import Foundation

/// Validation for the free-text fields people type at a kiosk: names, language tags, labels.
enum TextField {
    static func name(_ raw: String, field: String, maximumLength: Int = 100) throws -> String {
        let value = raw.trimmed(.whitespacesAndNewlines)
        guard !value.isEmpty else { throw StoreError(.invalidArgument, "\(field) must not be empty") }
        guard value.count <= maximumLength else {
            throw StoreError(.invalidArgument, "\(field) must be at most \(maximumLength) characters, got \(value.count)")
        }
        guard !Sanitized.hasControlCharacters(value) else {
            throw StoreError(.invalidArgument, "\(field) must not contain control characters")
        }
        return value
    }

    static func optionalName(_ raw: String?, field: String, maximumLength: Int = 100) throws -> String? {
        guard let raw, !raw.trimmed(.whitespacesAndNewlines).isEmpty else { return nil }
        return try name(raw, field: field, maximumLength: maximumLength)
    }

    /// Free text such as a feedback comment: trimmed, bounded, line breaks and tabs allowed, other control
    /// characters refused. Empty text is nil.
    static func comment(_ raw: String?, field: String, maximumLength: Int) throws -> String? {
        guard let value = raw?.trimmed(.whitespacesAndNewlines), !value.isEmpty else { return nil }
        guard value.count <= maximumLength else {
            throw StoreError(.invalidArgument, "\(field) must be at most \(maximumLength) characters, got \(value.count)")
        }
        guard !Sanitized.hasControlCharacters(value.filter { $0 != "\n" && $0 != "\t" && $0 != "\r\n" }) else {
            throw StoreError(.invalidArgument, "\(field) must not contain control characters other than line breaks and tabs")
        }
        return value
    }

    /// A BCP 47 tag in its simple form: a 2–3 letter language, then optional subtags ("fr", "en-GB", "zh-Hant").
    static func language(_ raw: String) throws -> String {
        let trimmed = raw.trimmed(.whitespaces)
        let value = trimmed.contains("_") ? trimmed.replacingOccurrences(of: "_", with: "-") : trimmed
        let subtags = value.split(separator: "-", omittingEmptySubsequences: false)
        guard let primary = subtags.first, (2...3).contains(primary.count),
              primary.allSatisfy({ $0.isASCII && $0.isLetter }),
              subtags.dropFirst().allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }),
              subtags.count <= 4 else {
            throw StoreError(.invalidArgument, "language must be a BCP 47 tag like fr or en-GB, got \"\(Sanitized.excerpt(raw))\"")
        }
        return ([primary.lowercased()] + subtags.dropFirst().map(String.init)).joined(separator: "-")
    }

    /// Ids that come from outside (store, device, reader, receipt): printable ASCII, no spaces, bounded.
    static func token(_ raw: String, field: String, maximumLength: Int = 64) throws -> String {
        let value = raw.trimmed(.whitespaces)
        guard !value.isEmpty, value.count <= maximumLength,
              value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            throw StoreError(.invalidArgument,
                             "\(field) must be 1–\(maximumLength) printable ASCII characters without spaces, got \"\(Sanitized.excerpt(raw))\"")
        }
        return value
    }
}
