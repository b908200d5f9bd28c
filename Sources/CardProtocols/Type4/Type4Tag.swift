/// NFC Forum Type 4 tags (ISO-DEP: NTAG 424, DESFire with an NDEF application, phones): the NDEF
/// application, its CC file and NDEF file, read with SELECT and READ BINARY.
public enum Type4Tag {
    /// The NDEF tag application, version 2.0 and later.
    public static let ndefApplicationAID: [UInt8] = [0xD2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01]
    public static let capabilityContainerFileID: UInt16 = 0xE103

    /// `00 A4 04 00 07 D2760000850101 00`
    public static let selectApplication = CommandAPDU(unchecked: 0x00, 0xA4, 0x04, 0x00, ndefApplicationAID, 256)
    /// `00 A4 00 0C 02 E1 03`
    public static let selectCapabilityContainer = CommandAPDU.selectFile(id: capabilityContainerFileID)
    /// `00 B0 00 00 0F`: the mandatory 15 bytes of the CC. With the extended TLV (`06 08`) the CC has 17;
    /// ``capabilityContainerRemainderRead(firstBytes:)`` gives the read for the last two.
    public static let readCapabilityContainer = CommandAPDU(unchecked: 0x00, 0xB0, 0x00, 0x00, [], 15)

    /// The READ BINARY for the bytes of an extended NDEF File Control TLV that the first 15-byte read
    /// did not cover; `nil` when the CC uses the 2.0 TLV or all bytes are there. Proprietary TLVs after
    /// the NDEF one are never read.
    public static func capabilityContainerRemainderRead(firstBytes: [UInt8]) -> CommandAPDU? {
        guard firstBytes.count >= 8, firstBytes[7] == 0x06, firstBytes.count < 17 else { return nil }
        return CommandAPDU(unchecked: 0x00, 0xB0, 0x00, UInt8(firstBytes.count), [], 17 - firstBytes.count)
    }

    /// Upper bound on one READ BINARY: short APDUs and readers that do not all do extended lengths.
    public static let defaultMaximumReadLength = 255

    /// READ BINARY for NLEN (2 bytes) or ENLEN (4 bytes) at offset 0 of the selected NDEF file.
    public static func lengthRead(for capabilityContainer: Type4CapabilityContainer) -> CommandAPDU {
        CommandAPDU(unchecked: 0x00, 0xB0, 0x00, 0x00, [], capabilityContainer.ndefFile.lengthFieldSize)
    }

    /// Decodes NLEN/ENLEN and checks it against the file's maximum size.
    ///
    /// - Throws: ``CardProtocolError/truncated`` for too few bytes, ``CardProtocolError/lengthMismatch``
    ///   when the message could not fit the NDEF file.
    public static func messageLength(
        parsing bytes: [UInt8], for capabilityContainer: Type4CapabilityContainer
    ) throws(CardProtocolError) -> Int {
        let size = capabilityContainer.ndefFile.lengthFieldSize
        guard bytes.count >= size else {
            throw .truncated("NDEF file length field needs \(size) bytes, got \(bytes.count)")
        }
        let length = bytes.prefix(size).reduce(0) { $0 << 8 | Int($1) }
        let room = capabilityContainer.ndefFile.maximumSize - size
        guard length <= room else {
            throw .lengthMismatch(
                "NDEF file announces a message of \(length) bytes, the file holds at most \(room) after its length field")
        }
        return length
    }

    /// The READ BINARY commands that fetch a message of `messageLength` bytes after the length field, in
    /// chunks of at most min(MLe, `maximumReadLength`) bytes.
    ///
    /// - Throws: ``CardProtocolError/unsupported`` when an offset passes 7FFF, which needs the odd
    ///   READ BINARY (`B1`) this library does not build.
    public static func messageReads(
        messageLength: Int, for capabilityContainer: Type4CapabilityContainer,
        maximumReadLength: Int = defaultMaximumReadLength
    ) throws(CardProtocolError) -> [CommandAPDU] {
        let chunk = max(1, min(capabilityContainer.maximumResponseLength, maximumReadLength, 256))
        var commands: [CommandAPDU] = []
        var offset = capabilityContainer.ndefFile.lengthFieldSize
        let end = offset + messageLength
        while offset < end {
            let length = min(chunk, end - offset)
            guard offset <= 0x7FFF else {
                throw .unsupported("reading NDEF offset \(offset) needs READ BINARY with an odd INS (B1), not supported")
            }
            commands.append(CommandAPDU(unchecked: 0x00, 0xB0, UInt8(offset >> 8), UInt8(offset & 0xFF), [], length))
            offset += length
        }
        return commands
    }
}
