/// The capability container file (`E103`) of an NFC Forum Type 4 tag (T4T 2.0 §5.1, 3.0 §4.7).
///
/// `CCLEN(2) version(1) MLe(2) MLc(2)` then the NDEF File Control TLV `04 06` (file id, maximum size
/// on 2 bytes, read and write access) or, from version 3.0, the extended one `06 08` (size on 4 bytes).
public struct Type4CapabilityContainer: Hashable, Sendable {
    public struct NDEFFileControl: Hashable, Sendable {
        public let fileID: UInt16
        /// Maximum size of the NDEF file, length field included.
        public let maximumSize: Int
        public let readAccess: UInt8
        public let writeAccess: UInt8
        /// From the extended TLV (`06`): the file starts with a 4-byte ENLEN instead of a 2-byte NLEN.
        public let isExtended: Bool

        public init(fileID: UInt16, maximumSize: Int, readAccess: UInt8 = 0x00, writeAccess: UInt8 = 0x00, isExtended: Bool = false) {
            self.fileID = fileID
            self.maximumSize = maximumSize
            self.readAccess = readAccess
            self.writeAccess = writeAccess
            self.isExtended = isExtended
        }

        public var isReadable: Bool { readAccess == 0x00 }
        /// `00` grants writes; `FF` (and proprietary values) make the file read-only for a plain reader.
        public var isWritable: Bool { writeAccess == 0x00 }
        /// Bytes of NLEN (2) or ENLEN (4) at the start of the NDEF file.
        public var lengthFieldSize: Int { isExtended ? 4 : 2 }
    }

    /// A CC with the mandatory fields only: 15 bytes, or 17 with the extended TLV.
    public static let minimumLength = 15

    public let majorVersion: UInt8
    public let minorVersion: UInt8
    /// MLe: the most bytes one READ BINARY may ask for.
    public let maximumResponseLength: Int
    /// MLc: the most bytes one UPDATE BINARY may carry.
    public let maximumCommandLength: Int
    public let ndefFile: NDEFFileControl
    /// CCLEN, which may exceed the mandatory fields when proprietary TLVs follow.
    public let length: Int

    public init(
        majorVersion: UInt8 = 2, minorVersion: UInt8 = 0, maximumResponseLength: Int, maximumCommandLength: Int,
        ndefFile: NDEFFileControl
    ) throws(CardProtocolError) {
        self.majorVersion = majorVersion
        self.minorVersion = minorVersion
        self.maximumResponseLength = maximumResponseLength
        self.maximumCommandLength = maximumCommandLength
        self.ndefFile = ndefFile
        self.length = ndefFile.isExtended ? 17 : 15
        try validate()
    }

    /// Parses the CC file's contents up to the NDEF File Control TLV; later (proprietary) TLVs that CCLEN
    /// may cover are neither needed nor read.
    ///
    /// - Throws: ``CardProtocolError/truncated`` when the mandatory fields or the TLV are cut,
    ///   ``CardProtocolError/unsupported`` for a major version other than 2 or 3,
    ///   ``CardProtocolError/invalidValue`` for an out-of-range CCLEN, MLe, MLc, file id or size,
    ///   ``CardProtocolError/malformed`` when the first TLV is not an NDEF File Control TLV.
    public init(parsing bytes: [UInt8]) throws(CardProtocolError) {
        var reader = ByteReader(bytes)
        let length = Int(try reader.readUInt16("Type 4 CCLEN"))
        guard length >= Self.minimumLength else {
            throw .invalidValue("Type 4 CCLEN \(length) is below the minimum of 15")
        }
        let version = try reader.readByte("Type 4 mapping version")
        let maximumResponseLength = Int(try reader.readUInt16("Type 4 MLe"))
        let maximumCommandLength = Int(try reader.readUInt16("Type 4 MLc"))
        let tag = try reader.readByte("NDEF File Control TLV tag")
        let tlvLength = try reader.readByte("NDEF File Control TLV length")
        let file: NDEFFileControl
        switch (tag, tlvLength) {
        case (0x04, 0x06):
            let id = try reader.readUInt16("NDEF file id")
            let size = Int(try reader.readUInt16("NDEF file maximum size"))
            file = NDEFFileControl(
                fileID: id, maximumSize: size, readAccess: try reader.readByte("NDEF file read access"),
                writeAccess: try reader.readByte("NDEF file write access"))
        case (0x06, 0x08):
            let id = try reader.readUInt16("NDEF file id")
            let size = try reader.read(4, "extended NDEF file maximum size").reduce(0) { $0 << 8 | Int($1) }
            file = NDEFFileControl(
                fileID: id, maximumSize: size, readAccess: try reader.readByte("NDEF file read access"),
                writeAccess: try reader.readByte("NDEF file write access"), isExtended: true)
        default:
            throw .malformed(
                "Type 4 CC has TLV \(hexString(tag)) \(hexString(tlvLength)) where the NDEF File Control TLV 04 06 (or 06 08) belongs")
        }
        guard reader.offset <= length else {
            throw .invalidValue("Type 4 CCLEN \(length) is shorter than its NDEF File Control TLV (\(reader.offset) bytes)")
        }
        self.length = length
        self.majorVersion = version >> 4
        self.minorVersion = version & 0x0F
        self.maximumResponseLength = maximumResponseLength
        self.maximumCommandLength = maximumCommandLength
        self.ndefFile = file
        try validate()
    }

    private func validate() throws(CardProtocolError) {
        guard majorVersion == 2 || majorVersion == 3 else {
            throw .unsupported("Type 4 mapping version \(majorVersion).\(minorVersion) is not supported (2.x and 3.x are)")
        }
        guard !ndefFile.isExtended || majorVersion == 3 else {
            throw .invalidValue("the extended NDEF File Control TLV (06) needs mapping version 3.0, CC says \(majorVersion).\(minorVersion)")
        }
        guard (0x000F...0xFFFF).contains(maximumResponseLength) else {
            throw .invalidValue("Type 4 MLe \(maximumResponseLength) is outside 000F...FFFF")
        }
        guard (0x0001...0xFFFF).contains(maximumCommandLength) else {
            throw .invalidValue("Type 4 MLc \(maximumCommandLength) is outside 0001...FFFF")
        }
        let reservedIDs: Set<UInt16> = [0x0000, 0xE102, 0xE103, 0x3F00, 0x3FFF, 0xFFFF]
        guard !reservedIDs.contains(ndefFile.fileID) else {
            throw .invalidValue("NDEF file id \(hexString(ndefFile.fileID)) is reserved")
        }
        let sizes = ndefFile.isExtended ? 0x0000_FFFF...0xFFFF_FFFE : 0x0005...0xFFFE
        guard sizes.contains(ndefFile.maximumSize) else {
            throw .invalidValue("NDEF file maximum size \(ndefFile.maximumSize) is outside \(sizes)")
        }
    }

    /// The CC file's mandatory bytes (CCLEN counts only these).
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = [
            UInt8(length >> 8), UInt8(length & 0xFF), majorVersion << 4 | minorVersion,
            UInt8(maximumResponseLength >> 8), UInt8(maximumResponseLength & 0xFF),
            UInt8(maximumCommandLength >> 8), UInt8(maximumCommandLength & 0xFF),
        ]
        bytes += ndefFile.isExtended ? [0x06, 0x08] : [0x04, 0x06]
        bytes += [UInt8(ndefFile.fileID >> 8), UInt8(ndefFile.fileID & 0xFF)]
        let size = ndefFile.maximumSize
        bytes += ndefFile.isExtended
            ? [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
            : [UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
        bytes += [ndefFile.readAccess, ndefFile.writeAccess]
        return bytes
    }
}
