import ArgumentParser
import Foundation

/// A systemd `EnvironmentFile` (`/etc/parcours/store.env`): the service gets its head-office link and secrets from
/// it, so a doctor run by hand must read it too or it would diagnose another configuration than the service's.
enum EnvironmentFile {
    /// `KEY=VALUE` lines; `#` and `;` start comments; one level of single or double quotes is removed.
    ///
    /// - Throws: a ValidationError naming the file and the line, never a value (the file holds secrets).
    static func read(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--env-file \(path) cannot be read (run the doctor as root for /etc/parcours/store.env)")
        }
        var values: [String: String] = [:]
        for (index, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ValidationError("--env-file \(path) line \(index + 1) is not KEY=VALUE")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw ValidationError("--env-file \(path) line \(index + 1): the name before = is not a variable name")
            }
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[key] = value
        }
        return values
    }
}
