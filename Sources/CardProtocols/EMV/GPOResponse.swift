/// The answer to GET PROCESSING OPTIONS (EMV Book 3 §6.5.8.4): format 1 (`80`: AIP then AFL) or
/// format 2 (`77` with `82` AIP and `94` AFL, plus whatever else a contactless kernel returns).
public struct GPOResponse: Hashable, Sendable {
    /// AIP, tag `82`, 2 bytes.
    public let applicationInterchangeProfile: [UInt8]
    /// The AFL; empty when the card lists no records (common in contactless format 2).
    public let applicationFileLocator: ApplicationFileLocator
    /// Every object of a format 2 response (empty for format 1), for the tags this type does not name.
    public let objects: [TLV]

    /// - Throws: the TLV and AFL errors, ``CardProtocolError/truncated`` for a format 1 value under 2
    ///   bytes, ``CardProtocolError/malformed`` for a template other than `80`/`77` or a format 2 without
    ///   a 2-byte AIP.
    public init(parsing bytes: [UInt8]) throws(CardProtocolError) {
        let template = try TLV(parsing: bytes)
        switch template.tag {
        case 0x80:
            guard template.value.count >= 2 else {
                throw .truncated("GPO format 1 needs a 2-byte AIP, got \(template.value.count) bytes")
            }
            self.applicationInterchangeProfile = Array(template.value.prefix(2))
            self.applicationFileLocator = try ApplicationFileLocator(parsing: Array(template.value.dropFirst(2)))
            self.objects = []
        case 0x77:
            guard let aip = template.children.first(where: { $0.tag == 0x82 })?.value, aip.count == 2 else {
                throw .malformed("GPO format 2 has no 2-byte AIP (tag 82)")
            }
            self.applicationInterchangeProfile = aip
            let afl = template.children.first(where: { $0.tag == 0x94 })?.value ?? []
            self.applicationFileLocator = try ApplicationFileLocator(parsing: afl)
            self.objects = template.children
        default:
            throw .malformed("GPO response template is \(template.tag), expected 80 (format 1) or 77 (format 2)")
        }
    }
}
