/// A storage card as PC/SC part 3 names it: `SS` (standard) and `NN NN` (card name) in the ATR.
public struct StorageCard: Hashable, Sendable {
    public enum Standard: Hashable, Sendable {
        case iso14443A3
        case iso14443B3
        case iso15693
        case felica
        case lowFrequency
        case other(UInt8)

        public init(rawValue: UInt8) {
            switch rawValue {
            case 0x03: self = .iso14443A3
            case 0x07: self = .iso14443B3
            case 0x0B: self = .iso15693
            case 0x11: self = .felica
            case 0x40: self = .lowFrequency
            default: self = .other(rawValue)
            }
        }

        public var rawValue: UInt8 {
            switch self {
            case .iso14443A3: 0x03
            case .iso14443B3: 0x07
            case .iso15693: 0x0B
            case .felica: 0x11
            case .lowFrequency: 0x40
            case .other(let value): value
            }
        }
    }

    public enum Name: Hashable, Sendable {
        case mifareClassic1K
        case mifareClassic4K
        /// Also what NTAG21x report: the reader cannot tell them apart (GET_VERSION can).
        case mifareUltralight
        case mifareMini
        case mifareUltralightC
        case mifareUltralightEV1
        case other(UInt16)

        public init(rawValue: UInt16) {
            switch rawValue {
            case 0x0001: self = .mifareClassic1K
            case 0x0002: self = .mifareClassic4K
            case 0x0003: self = .mifareUltralight
            case 0x0026: self = .mifareMini
            case 0x003A: self = .mifareUltralightC
            case 0x003D: self = .mifareUltralightEV1
            default: self = .other(rawValue)
            }
        }

        public var rawValue: UInt16 {
            switch self {
            case .mifareClassic1K: 0x0001
            case .mifareClassic4K: 0x0002
            case .mifareUltralight: 0x0003
            case .mifareMini: 0x0026
            case .mifareUltralightC: 0x003A
            case .mifareUltralightEV1: 0x003D
            case .other(let value): value
            }
        }
    }

    public let standard: Standard
    public let name: Name
    public let rawName: UInt16

    public init(standardByte: UInt8, nameBytes: UInt16) {
        self.standard = Standard(rawValue: standardByte)
        self.name = Name(rawValue: nameBytes)
        self.rawName = nameBytes
    }

    /// True for cards that carry NFC Forum Type 2 memory (pages of 4 bytes, CC on page 3).
    public var isNFCForumType2: Bool {
        switch name {
        case .mifareUltralight, .mifareUltralightC, .mifareUltralightEV1: true
        default: false
        }
    }
}

extension StorageCard: CustomStringConvertible {
    public var description: String {
        switch name {
        case .mifareUltralight: "NFC Forum Type 2 (MIFARE Ultralight / NTAG21x)"
        case .mifareUltralightC: "NFC Forum Type 2 (MIFARE Ultralight C)"
        case .mifareUltralightEV1: "NFC Forum Type 2 (MIFARE Ultralight EV1)"
        case .mifareClassic1K: "MIFARE Classic 1K"
        case .mifareClassic4K: "MIFARE Classic 4K"
        case .mifareMini: "MIFARE Mini"
        case .other(let raw): "storage card \(hexString(raw)) (standard \(hexString(standard.rawValue)))"
        }
    }
}
