import Foundation

/// One line of `parcours doctor`: what was checked, how it went, and what to do about it.
struct DoctorCheck: Sendable, Hashable, Encodable {
    enum Status: String, Sendable, Hashable, Encodable {
        case ok, warn, fail, skip

        /// Upper case for a failure, so it stands out in a terminal full of lines.
        var label: String { self == .fail ? "FAIL" : rawValue }
    }

    var check: String
    var status: Status
    var detail: String
    /// What to do; every warn and FAIL has one, and a skip says which check to fix first.
    var fix: String?

    static func ok(_ check: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(check: check, status: .ok, detail: detail, fix: nil)
    }

    static func warn(_ check: String, _ detail: String, fix: String) -> DoctorCheck {
        DoctorCheck(check: check, status: .warn, detail: detail, fix: fix)
    }

    static func fail(_ check: String, _ detail: String, fix: String) -> DoctorCheck {
        DoctorCheck(check: check, status: .fail, detail: detail, fix: fix)
    }

    static func skip(_ check: String, because detail: String, fix: String) -> DoctorCheck {
        DoctorCheck(check: check, status: .skip, detail: detail, fix: fix)
    }

    /// `FAIL  pcscd  …` and, for anything not ok, an indented `fix: …` line.
    var lines: [String] {
        let head = status.label.padding(toLength: 4, withPad: " ", startingAt: 0) + "  \(check)  \(detail)"
        guard status != .ok, let fix else { return [head] }
        return [head, "      fix: \(fix)"]
    }

    private enum CodingKeys: String, CodingKey { case check, status, detail, fix }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(check, forKey: .check)
        try container.encode(status, forKey: .status)
        try container.encode(detail, forKey: .detail)
        // Always present, null when there is nothing to do: a monitoring script reads one shape.
        try container.encode(fix, forKey: .fix)
    }
}

/// Every check's line, in order, and the verdict: fine unless something FAILed (warnings and skips alone pass).
struct DoctorReport: Sendable, Encodable {
    var checks: [DoctorCheck]
    var ok: Bool { !checks.contains { $0.status == .fail } }

    private enum CodingKeys: String, CodingKey { case ok, checks }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ok, forKey: .ok)
        try container.encode(checks, forKey: .checks)
    }

    var text: String { checks.flatMap(\.lines).joined(separator: "\n") }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
