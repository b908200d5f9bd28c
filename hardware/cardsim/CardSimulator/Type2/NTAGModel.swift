/// The three NXP NTAG21x sizes and their memory maps (NXP NTAG213/215/216 datasheet, section 8.5).
public enum NTAGModel: String, CaseIterable, Sendable, CustomStringConvertible {
    case ntag213
    case ntag215
    case ntag216

    /// Pages of 4 bytes, from page 0 to the PACK page.
    public var pageCount: Int {
        switch self {
        case .ntag213: 45
        case .ntag215: 135
        case .ntag216: 231
        }
    }

    /// Bytes of user memory, pages 4 to ``lastUserPage``: 144, 504 or 888.
    public var userMemorySize: Int { (lastUserPage - 3) * 4 }

    public var firstUserPage: Int { 4 }
    public var lastUserPage: Int { pageCount - 6 }
    /// Dynamic lock bytes 0–2 (byte 3 is RFUI and reads `BD`).
    public var dynamicLockPage: Int { pageCount - 5 }
    /// CFG0: MIRROR, RFUI, MIRROR_PAGE, AUTH0.
    public var configuration0Page: Int { pageCount - 4 }
    /// CFG1: ACCESS, RFUI, RFUI, RFUI.
    public var configuration1Page: Int { pageCount - 3 }
    /// PWD: write-only, reads as 00 00 00 00.
    public var passwordPage: Int { pageCount - 2 }
    /// PACK (2 bytes) and RFUI: write-only, reads as zeros.
    public var passwordAcknowledgePage: Int { pageCount - 1 }

    /// The CC's data-area size byte, as NXP programs it: `12` (144 bytes), `3E` (496), `6D` (872).
    /// NTAG215/216 declare a little less than their user memory (504, 888), so it is not user memory ÷ 8.
    public var capabilityContainerSize: UInt8 {
        switch self {
        case .ntag213: 0x12
        case .ntag215: 0x3E
        case .ntag216: 0x6D
        }
    }

    /// Bytes of NDEF data area the factory CC declares: 144, 496, 872.
    public var dataAreaSize: Int { Int(capabilityContainerSize) * 8 }

    /// Each dynamic lock bit protects this many pages from page 16 on.
    var dynamicLockGranularity: Int { self == .ntag213 ? 2 : 16 }

    /// How many dynamic lock bits the user pages from 16 on need.
    var dynamicLockBitCount: Int {
        let pages = lastUserPage - 15
        return (pages + dynamicLockGranularity - 1) / dynamicLockGranularity
    }

    /// The dynamic lock bits that exist (bits 0–15) and their block-locking bits (16–23), one per
    /// pair of lock bits; the other bits of the three dynamic lock bytes are RFUI.
    var dynamicLockMask: UInt32 {
        let lockBits = UInt32(1) << UInt32(dynamicLockBitCount) - 1
        let blockBits = UInt32(1) << UInt32((dynamicLockBitCount + 1) / 2) - 1
        return lockBits | blockBits << 16
    }

    /// GET_VERSION answer: vendor NXP, type NTAG, subtype 50 pF, version 1.0, storage size code.
    public var version: [UInt8] {
        let storageSize: UInt8 =
            switch self {
            case .ntag213: 0x0F
            case .ntag215: 0x11
            case .ntag216: 0x13
            }
        return [0x00, 0x04, 0x04, 0x02, 0x01, 0x00, storageSize, 0x03]
    }

    /// What the NDEF area holds when the tag leaves the factory (NTAG213 also declares its dynamic
    /// lock bytes with a Lock Control TLV).
    public var factoryUserData: [UInt8] {
        switch self {
        case .ntag213: [0x01, 0x03, 0xA0, 0x0C, 0x34, 0x03, 0x00, 0xFE]
        case .ntag215, .ntag216: [0x03, 0x00, 0xFE]
        }
    }

    public var description: String {
        switch self {
        case .ntag213: "NTAG213"
        case .ntag215: "NTAG215"
        case .ntag216: "NTAG216"
        }
    }
}
