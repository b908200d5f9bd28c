import Foundation

/// A syntactically plausible email address, normalized.
///
/// Normalization: surrounding whitespace trimmed; the domain lowercased (DNS is case-insensitive). The local part
/// keeps the case the person typed, because that is what we send mail to. Duplicate detection uses ``lookupKey``,
/// the whole address lowercased: the RFC lets a server treat `Marie@` and `marie@` differently, but in practice no
/// mainstream provider does, and two profiles for one person is the worse failure. Internationalized domains must
/// arrive in their ASCII (punycode) form; no IDNA conversion is done here.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let normalized: String
    public var lookupKey: String { normalized.lowercased() }
    public var description: String { normalized }

    public init(_ raw: String) throws {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        func fail(_ why: String) -> StoreError {
            StoreError(.malformedEmail, "email \"\(Sanitized.excerpt(text))\" \(why)")
        }
        guard text.count <= 254 else { throw fail("is longer than 254 characters") }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw fail("must contain exactly one @") }
        let local = String(parts[0])
        let domain = parts[1].lowercased()
        guard !local.isEmpty, local.utf8.count <= 64 else { throw fail("needs a local part of 1–64 characters before the @") }
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.")
        guard local.allSatisfy({ localAllowed.contains($0) }) else { throw fail("has a character not allowed before the @") }
        guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            throw fail("has a misplaced dot before the @")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw fail("needs a domain with a dot, like example.com") }
        let labelAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        for label in labels {
            guard !label.isEmpty, label.count <= 63, label.allSatisfy({ labelAllowed.contains($0) }),
                  !label.hasPrefix("-"), !label.hasSuffix("-") else {
                throw fail("has an invalid domain")
            }
        }
        guard let last = labels.last, last.count >= 2, !last.allSatisfy(\.isNumber) else {
            throw fail("has an invalid top-level domain")
        }
        normalized = local + "@" + domain
    }
}
