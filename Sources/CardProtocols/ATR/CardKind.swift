/// What a reader says is on it, read from the ATR alone.
public enum CardKind: Hashable, Sendable {
    /// A memory card the reader firmware exposes through PC/SC part 3 (`FF B0`, `FF D6` …).
    case storageCard(StorageCard)
    /// An ISO 14443-4 (ISO-DEP) card: EMV, DESFire, NTAG 424, Type 4 tags. The historical bytes come
    /// from the ATS (type A) or the ATQB (type B).
    case iso14443_4(historicalBytes: [UInt8])
    /// A phone emulating a card (Android HCE): ISO 14443-4 with no historical bytes.
    case phoneCardEmulation
    /// Anything else, typically a contact card.
    case unknown
}

extension CardKind: CustomStringConvertible {
    public var description: String {
        switch self {
        case .storageCard(let card): card.description
        case .iso14443_4(let historicalBytes):
            historicalBytes.isEmpty
                ? "ISO 14443-4 card" : "ISO 14443-4 card (historical bytes \(hexString(historicalBytes)))"
        case .phoneCardEmulation: "phone card emulation (ISO 14443-4, no historical bytes)"
        case .unknown: "unknown card"
        }
    }
}

extension ATR {
    /// PC/SC's registered application provider identifier, which marks a synthesized storage-card ATR.
    static let pcscRID: [UInt8] = [0xA0, 0x00, 0x00, 0x03, 0x06]

    /// Classifies the card: storage cards by the PC/SC part 3 RID in the historical bytes
    /// (`80 4F 0C A0 00 00 03 06 SS NN NN 00 00 00 00`), ISO 14443-4 by the `3B 8n 80 01` shape
    /// contactless readers build.
    ///
    /// A card with no historical bytes is reported as ``CardKind/phoneCardEmulation``: Android HCE answers
    /// `3B 80 80 01 01`, and the rare real card without an ATS payload gets the same treatment (both are
    /// then talked to by SELECT AID).
    public var cardKind: CardKind {
        if let storageCard { return .storageCard(storageCard) }
        let isContactlessISO14443_4 = bytes.count >= 4 && bytes[0] == 0x3B && bytes[1] & 0xF0 == 0x80
            && bytes[2] == 0x80 && bytes[3] == 0x01
        guard isContactlessISO14443_4 else { return .unknown }
        return historicalBytes.isEmpty ? .phoneCardEmulation : .iso14443_4(historicalBytes: historicalBytes)
    }

    private var storageCard: StorageCard? {
        let h = historicalBytes
        // Category 80, then the application identifier 4F with a length of at least RID + SS + NN NN.
        guard h.count >= 11, h[0] == 0x80, h[1] == 0x4F, Int(h[2]) >= 8, h.count >= 3 + Int(h[2]),
              Array(h[3..<8]) == Self.pcscRID
        else { return nil }
        return StorageCard(standardByte: h[8], nameBytes: UInt16(h[9]) << 8 | UInt16(h[10]))
    }
}
