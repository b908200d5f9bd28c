extension CommandAPDU {
    /// The contactless payment directory name, `2PAY.SYS.DDF01`.
    public static let ppseName: [UInt8] = Array("2PAY.SYS.DDF01".utf8)

    /// SELECT PPSE: `00 A4 04 00 0E 2PAY.SYS.DDF01 00`.
    public static let selectPPSE = CommandAPDU(unchecked: 0x00, 0xA4, 0x04, 0x00, ppseName, 256)

    /// GET PROCESSING OPTIONS: `80 A8 00 00 Lc 83 len pdolData 00`.
    ///
    /// - Parameter pdolData: the PDOL filled by ``DataObjectList/build(values:numericTags:)``; empty when
    ///   the card sent no PDOL (`83 00`).
    /// - Throws: ``CardProtocolError/invalidValue`` when the data cannot fit a command.
    public static func getProcessingOptions(pdolData: [UInt8]) throws(CardProtocolError) -> CommandAPDU {
        let body = TLV(tag: 0x83, value: pdolData).serialized()
        return try CommandAPDU(cla: 0x80, ins: 0xA8, p1: 0x00, p2: 0x00, data: body, expectedLength: 256)
    }

    /// READ RECORD: `00 B2 record (sfi << 3 | 4) 00`.
    ///
    /// - Throws: ``CardProtocolError/invalidValue`` for an SFI outside 1…30 or record 0 / FF.
    public static func readRecord(sfi: UInt8, record: UInt8) throws(CardProtocolError) -> CommandAPDU {
        guard (1...30).contains(sfi) else { throw .invalidValue("SFI \(sfi) is outside 1...30") }
        guard (1...254).contains(record) else { throw .invalidValue("record number \(record) is outside 1...254") }
        return readRecordUnchecked(sfi: sfi, record: record)
    }

    static func readRecordUnchecked(sfi: UInt8, record: UInt8) -> CommandAPDU {
        CommandAPDU(unchecked: 0x00, 0xB2, record, sfi << 3 | 0x04, [], 256)
    }
}
