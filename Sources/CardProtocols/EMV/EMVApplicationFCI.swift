/// The FCI a payment application returns to SELECT (EMV Book 1 §11.3.4, table 45).
public struct EMVApplicationFCI: Hashable, Sendable {
    /// DF name (tag `84`): the selected AID.
    public let dedicatedFileName: [UInt8]
    public let label: String?
    /// Application preferred name (tag `9F12`).
    public let preferredName: String?
    public let priority: Int?
    /// Processing options data object list (tag `9F38`), `nil` when the card asks for none.
    public let processingOptionsDOL: DataObjectList?
    /// All objects of the FCI, for tags this type does not name.
    public let objects: [TLV]

    /// - Throws: the TLV and DOL errors, and ``CardProtocolError/malformed`` when the response is not
    ///   an FCI template `6F` with a DF name `84`.
    public init(parsing bytes: [UInt8]) throws(CardProtocolError) {
        let objects = try TLV.parseAll(bytes)
        guard let template = objects.first, template.tag == 0x6F else {
            throw .malformed("application FCI does not start with an FCI template 6F (got \(objects.first?.tag.description ?? "nothing"))")
        }
        guard let name = template.children.first(where: { $0.tag == 0x84 })?.value else {
            throw .malformed("application FCI has no DF name 84")
        }
        let proprietary = template.children.first { $0.tag == 0xA5 }
        self.dedicatedFileName = name
        self.label = proprietary?.first(tag: 0x50).map { emvText($0.value) }
        self.preferredName = proprietary?.first(tag: 0x9F12).map { emvText($0.value) }
        let priority = proprietary?.first(tag: 0x87)?.value.first.map { Int($0 & 0x0F) }
        self.priority = priority == 0 ? nil : priority
        if let pdol = proprietary?.first(tag: 0x9F38) {
            self.processingOptionsDOL = try DataObjectList(parsing: pdol.value)
        } else {
            self.processingOptionsDOL = nil
        }
        self.objects = objects
    }
}
