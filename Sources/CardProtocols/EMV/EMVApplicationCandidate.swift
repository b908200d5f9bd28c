/// One payment application a card lists in its PPSE directory (EMV Book B §3.3).
public struct EMVApplicationCandidate: Hashable, Sendable {
    /// The ADF name to SELECT (tag `4F`, 5…16 bytes).
    public let aid: [UInt8]
    /// Application label (tag `50`), if present.
    public let label: String?
    /// Priority 1…15 from tag `87` (1 is highest); `nil` when absent or `0` (no priority).
    public let priority: Int?
    /// Bit 8 of tag `87`: the application wants cardholder confirmation before selection.
    public let requiresConfirmation: Bool

    public init(aid: [UInt8], label: String? = nil, priority: Int? = nil, requiresConfirmation: Bool = false) {
        self.aid = aid
        self.label = label
        self.priority = priority
        self.requiresConfirmation = requiresConfirmation
    }

    /// The candidates in the PPSE FCI (`6F` → `A5` → `BF0C` → `61`…), highest priority first; candidates
    /// without a priority come last, and ties keep the card's order.
    ///
    /// Entries without a valid `4F` (5…16 bytes) are skipped: one broken entry should not hide the others.
    /// - Throws: the TLV errors, and ``CardProtocolError/malformed`` when the response is not an FCI (`6F`).
    public static func candidates(fromPPSE fci: [UInt8]) throws(CardProtocolError) -> [EMVApplicationCandidate] {
        let objects = try TLV.parseAll(fci)
        guard let template = objects.first, template.tag == 0x6F else {
            throw .malformed("PPSE response does not start with an FCI template 6F (got \(objects.first?.tag.description ?? "nothing"))")
        }
        guard let directory = template.first(tag: 0xA5)?.first(tag: 0xBF0C) else { return [] }
        var candidates: [EMVApplicationCandidate] = []
        for entry in directory.children where entry.tag == 0x61 {
            guard let aid = entry.children.first(where: { $0.tag == 0x4F })?.value, (5...16).contains(aid.count) else {
                continue
            }
            let priorityByte = entry.children.first(where: { $0.tag == 0x87 })?.value.first
            let priority = priorityByte.map { Int($0 & 0x0F) }
            candidates.append(EMVApplicationCandidate(
                aid: aid,
                label: entry.children.first(where: { $0.tag == 0x50 }).map { emvText($0.value) },
                priority: priority == 0 ? nil : priority,
                requiresConfirmation: (priorityByte ?? 0) & 0x80 != 0))
        }
        return candidates.enumerated()
            .sorted { ($0.element.priority ?? Int.max, $0.offset) < ($1.element.priority ?? Int.max, $1.offset) }
            .map(\.element)
    }
}

/// EMV text fields (format `ans`) are ISO 8859 bytes; decoding them byte by byte never fails.
func emvText(_ bytes: [UInt8]) -> String {
    String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
}
