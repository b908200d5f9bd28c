import CardProtocols
import Testing

@Suite struct ATRTests {
    struct Fixture: Sendable, CustomTestStringConvertible {
        let name: String
        let atr: String
        let protocols: [Int]
        let historical: String
        let kind: CardKind
        var testDescription: String { name }
    }

    static let fixtures: [Fixture] = [
        Fixture(
            name: "NTAG21x / Ultralight", atr: "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 03 00 00 00 00 68",
            protocols: [0, 1], historical: "80 4F 0C A0 00 00 03 06 03 00 03 00 00 00 00",
            kind: .storageCard(StorageCard(standardByte: 0x03, nameBytes: 0x0003))),
        Fixture(
            name: "MIFARE Classic 1K", atr: "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A",
            protocols: [0, 1], historical: "80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00",
            kind: .storageCard(StorageCard(standardByte: 0x03, nameBytes: 0x0001))),
        Fixture(
            name: "MIFARE Classic 4K", atr: "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 02 00 00 00 00 69",
            protocols: [0, 1], historical: "80 4F 0C A0 00 00 03 06 03 00 02 00 00 00 00",
            kind: .storageCard(StorageCard(standardByte: 0x03, nameBytes: 0x0002))),
        Fixture(
            name: "Android HCE", atr: "3B 80 80 01 01", protocols: [0, 1], historical: "",
            kind: .phoneCardEmulation),
        Fixture(
            name: "DESFire", atr: "3B 81 80 01 80 80", protocols: [0, 1], historical: "80",
            kind: .iso14443_4(historicalBytes: [0x80])),
        Fixture(
            name: "MIFARE Plus", atr: "3B 87 80 01 C1 05 2F 2F 01 BC D6 A9", protocols: [0, 1],
            historical: "C1 05 2F 2F 01 BC D6", kind: .iso14443_4(historicalBytes: hex("C1 05 2F 2F 01 BC D6"))),
        Fixture(
            // Feitian A40 (pcsc-tools smartcard_list): T=1 with TA1, TA3, TB3.
            name: "contact T=1 with TA1, TA3, TB3",
            atr: "3B 9F 95 81 31 FE 9F 00 66 46 53 05 10 00 FF 71 DF 00 00 00 00 00 EC",
            protocols: [1], historical: "00 66 46 53 05 10 00 FF 71 DF 00 00 00 00 00", kind: .unknown),
        Fixture(
            name: "contact T=0, no TCK", atr: "3B 68 00 00 80 66 A2 06 02 01 32 0E", protocols: [0],
            historical: "80 66 A2 06 02 01 32 0E", kind: .unknown),
    ]

    @Test(arguments: fixtures)
    func parsesRealATRs(_ fixture: Fixture) throws {
        let atr = try ATR(parsing: hex(fixture.atr))
        #expect(atr.bytes == hex(fixture.atr))
        #expect(atr.protocols == fixture.protocols)
        #expect(atr.historicalBytes == hex(fixture.historical))
        #expect(atr.cardKind == fixture.kind)
    }

    @Test func interfaceBytesOfAContactCard() throws {
        let atr = try ATR(parsing: hex("3B 9F 95 81 31 FE 9F 00 66 46 53 05 10 00 FF 71 DF 00 00 00 00 00 EC"))
        #expect(atr.interfaceBytes.count == 3)
        #expect(atr.interfaceBytes[0].ta == 0x95)
        #expect(atr.interfaceBytes[0].td == 0x81)
        #expect(atr.interfaceBytes[1].td == 0x31)
        #expect(atr.interfaceBytes[2].ta == 0xFE && atr.interfaceBytes[2].tb == 0x9F)
        #expect(atr.checkByte == 0xEC)
        #expect(!atr.isInverseConvention)
    }

    @Test func t0OnlyContactCardHasNoCheckByte() throws {
        let atr = try ATR(parsing: hex("3B 68 00 00 80 66 A2 06 02 01 32 0E"))
        #expect(atr.checkByte == nil)
        #expect(atr.interfaceBytes.first?.tb == 0x00)
        #expect(atr.interfaceBytes.first?.tc == 0x00)
    }

    @Test func storageCardNamesAndDescriptions() throws {
        let ultralight = try ATR(parsing: hex("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 03 00 00 00 00 68"))
        guard case .storageCard(let card) = ultralight.cardKind else {
            Issue.record("expected a storage card, got \(ultralight.cardKind)")
            return
        }
        #expect(card.standard == .iso14443A3)
        #expect(card.name == .mifareUltralight)
        #expect(card.rawName == 0x0003)
        #expect(card.isNFCForumType2)
        #expect(ultralight.cardKind.description == "NFC Forum Type 2 (MIFARE Ultralight / NTAG21x)")
        #expect(StorageCard(standardByte: 0x11, nameBytes: 0x003B).standard == .felica)
        #expect(StorageCard(standardByte: 0x03, nameBytes: 0x003A).name == .mifareUltralightC)
        #expect(StorageCard(standardByte: 0x03, nameBytes: 0x003D).name == .mifareUltralightEV1)
        #expect(StorageCard(standardByte: 0x03, nameBytes: 0x1234).name == .other(0x1234))
        #expect(!StorageCard(standardByte: 0x03, nameBytes: 0x0001).isNFCForumType2)
        #expect(CardKind.phoneCardEmulation.description.contains("phone"))
    }

    @Test(arguments: [
        ("", CardProtocolError.truncated),
        ("3B", .truncated),
        ("3A 00", .invalidValue),
        ("3B 8F 80", .truncated),  // TD1 says TD2 follows, nothing does
        ("3B 8F 80 01 80 4F 0C A0", .truncated),  // historical bytes cut short
        ("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 03 00 00 00 00", .truncated),  // no TCK
        ("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 03 00 00 00 00 69", .checksumMismatch),
        ("3B 80 80 01 01 00", .lengthMismatch),
        // Same layout as the Feitian A40 with altered historical bytes: its TCK 5E does not match (XOR B4).
        ("3B 9F 95 81 31 FE 9F 00 66 46 53 05 10 00 11 71 DF 00 00 00 6A 82 5E", .checksumMismatch),
        ("3B 68 00 00 80 66 A2 06 02 01 32 0E 00", .lengthMismatch),
        ("3B FF" + String(repeating: " 00", count: 40), .limitExceeded),
    ])
    func rejectsMalformedATRs(_ bytes: String, _ expected: CardProtocolError) {
        #expect(throws: expected) { try ATR(parsing: hex(bytes)) }
    }
}
