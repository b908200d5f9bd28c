extension CommandAPDU {
    /// SELECT by DF name (AID), first or only occurrence, asking for the FCI: `00 A4 04 00 Lc aid 00`.
    ///
    /// - Throws: ``CardProtocolError/invalidValue`` unless the AID has 1…16 bytes (ISO 7816-4 allows 5…16;
    ///   shorter partial names are accepted because some cards are selected by a prefix).
    public static func select(aid: [UInt8]) throws(CardProtocolError) -> CommandAPDU {
        guard (1...16).contains(aid.count) else {
            throw .invalidValue("an AID has 1...16 bytes, got \(aid.count)")
        }
        return CommandAPDU(unchecked: 0x00, 0xA4, 0x04, 0x00, aid, 256)
    }

    /// SELECT an elementary file by its identifier, no response data: `00 A4 00 0C 02 id`.
    public static func selectFile(id: UInt16) -> CommandAPDU {
        CommandAPDU(unchecked: 0x00, 0xA4, 0x00, 0x0C, [UInt8(id >> 8), UInt8(id & 0xFF)], nil)
    }

    /// READ BINARY of the currently selected file: `00 B0 offset(2) Le`.
    ///
    /// - Throws: ``CardProtocolError/invalidValue`` when the offset does not fit 15 bits (bit 8 of P1 would
    ///   mean a short file identifier) or the length is outside 1…65 536.
    public static func readBinary(offset: Int, length: Int) throws(CardProtocolError) -> CommandAPDU {
        guard (0...0x7FFF).contains(offset) else {
            throw .invalidValue("READ BINARY offset \(offset) is outside 0...32767")
        }
        return try CommandAPDU(
            cla: 0x00, ins: 0xB0, p1: UInt8(offset >> 8), p2: UInt8(offset & 0xFF), expectedLength: length)
    }

    /// GET RESPONSE: `00 C0 00 00 Le`, Le 1…256.
    public static func getResponse(length: Int) throws(CardProtocolError) -> CommandAPDU {
        guard (1...256).contains(length) else {
            throw .invalidValue("GET RESPONSE length \(length) is outside 1...256")
        }
        return CommandAPDU(unchecked: 0x00, 0xC0, 0x00, 0x00, [], length)
    }

    /// PC/SC part 3 GET DATA for the card's UID (or PUPI/IDm): `FF CA 00 00 00`.
    public static let getUID = CommandAPDU(unchecked: 0xFF, 0xCA, 0x00, 0x00, [], 256)

    /// PC/SC part 3 READ BINARY on a storage card: `FF B0 00 page len`.
    ///
    /// On a Type 2 tag the card returns 4 pages (16 bytes) per read whatever the page; `length` 16 is the
    /// common choice. As in any short Le, a `length` of 0 means 256.
    public static func readBinaryPCSC(page: UInt8, length: UInt8 = 16) -> CommandAPDU {
        CommandAPDU(unchecked: 0xFF, 0xB0, 0x00, page, [], length == 0 ? 256 : Int(length))
    }

    /// PC/SC part 3 UPDATE BINARY on a storage card: `FF D6 00 page Lc data`.
    ///
    /// A Type 2 page is 4 bytes (`Lc` = `04`); MIFARE Classic blocks are 16.
    /// - Throws: ``CardProtocolError/invalidValue`` unless the data has 1…255 bytes.
    public static func updateBinaryPCSC(page: UInt8, data: [UInt8]) throws(CardProtocolError) -> CommandAPDU {
        guard (1...255).contains(data.count) else {
            throw .invalidValue("UPDATE BINARY data must have 1...255 bytes, got \(data.count)")
        }
        return CommandAPDU(unchecked: 0xFF, 0xD6, 0x00, page, data, nil)
    }
}
