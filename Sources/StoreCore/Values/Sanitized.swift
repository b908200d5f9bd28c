/// Helpers for echoing caller input inside error messages without letting it flood or corrupt a terminal/log line.
enum Sanitized {
    static func excerpt(_ text: String, limit: Int = 40) -> String {
        let printable = text.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control ? "?" : String(scalar)
        }.joined()
        return printable.count > limit ? String(printable.prefix(limit)) + "…" : printable
    }

    static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
