/// The capability container of an NFC Forum Type 2 tag: page 3, four bytes (Type 2 Tag spec §6.1).
///
/// `E1` (NDEF magic), version (`10` = 1.0), data area size ÷ 8, access (high nibble read, low nibble
/// write; `0` = granted, write `F` = none).
public struct Type2CapabilityContainer: Hashable, Sendable {
    public static let magic: UInt8 = 0xE1

    public let majorVersion: UInt8
    public let minorVersion: UInt8
    /// Bytes of the data area, which starts at page 4.
    public let dataAreaSize: Int
    public let accessByte: UInt8

    /// - Throws: ``CardProtocolError/truncated`` below 4 bytes, ``CardProtocolError/invalidValue`` for a
    ///   magic other than `E1`, ``CardProtocolError/unsupported`` for a major version other than 1.
    ///   Bytes after the first four are ignored so a whole 16-byte read of page 3 can be passed.
    public init(parsing bytes: [UInt8]) throws(CardProtocolError) {
        guard bytes.count >= 4 else {
            throw .truncated("Type 2 capability container needs 4 bytes, got \(bytes.count)")
        }
        guard bytes[0] == Self.magic else {
            throw .invalidValue("Type 2 capability container magic is \(hexString(bytes[0])), expected E1 (no NDEF)")
        }
        let major = bytes[1] >> 4
        guard major == 1 else {
            throw .unsupported("Type 2 mapping version \(major).\(bytes[1] & 0x0F) is not supported (major version 1 only)")
        }
        self.majorVersion = major
        self.minorVersion = bytes[1] & 0x0F
        self.dataAreaSize = Int(bytes[2]) * 8
        self.accessByte = bytes[3]
    }

    /// A version 1.0 container.
    ///
    /// - Throws: ``CardProtocolError/invalidValue`` unless the size is a multiple of 8 in 8…2040.
    public init(dataAreaSize: Int, isReadOnly: Bool = false) throws(CardProtocolError) {
        guard dataAreaSize % 8 == 0, (8...2040).contains(dataAreaSize) else {
            throw .invalidValue("Type 2 data area size \(dataAreaSize) must be a multiple of 8 in 8...2040")
        }
        self.majorVersion = 1
        self.minorVersion = 0
        self.dataAreaSize = dataAreaSize
        self.accessByte = isReadOnly ? 0x0F : 0x00
    }

    init(version: (major: UInt8, minor: UInt8), sizeByte: UInt8, accessByte: UInt8) {
        self.majorVersion = version.major
        self.minorVersion = version.minor
        self.dataAreaSize = Int(sizeByte) * 8
        self.accessByte = accessByte
    }

    public var isReadable: Bool { accessByte >> 4 == 0 }
    /// Any write-access nibble other than `0` means the NDEF cannot be written.
    public var isReadOnly: Bool { accessByte & 0x0F != 0 }

    public func serialized() -> [UInt8] {
        [Self.magic, majorVersion << 4 | minorVersion, UInt8(dataAreaSize / 8), accessByte]
    }
}
