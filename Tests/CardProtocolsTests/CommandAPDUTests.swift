import CardProtocols
import Testing

@Suite struct CommandAPDUTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: String
        let data: Int
        let expectedLength: Int?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "1", bytes: "00 A4 04 00", data: 0, expectedLength: nil),
        Case(name: "2S", bytes: "FF CA 00 00 05", data: 0, expectedLength: 5),
        Case(name: "2S Le 256", bytes: "FF CA 00 00 00", data: 0, expectedLength: 256),
        Case(name: "3S", bytes: "00 A4 00 0C 02 E1 03", data: 2, expectedLength: nil),
        Case(name: "4S", bytes: "00 A4 04 00 07 D2 76 00 00 85 01 01 00", data: 7, expectedLength: 256),
        Case(name: "2E", bytes: "00 B0 00 00 00 01 00", data: 0, expectedLength: 256 + 0),
        Case(name: "2E Le 65536", bytes: "00 B0 00 00 00 00 00", data: 0, expectedLength: 65_536),
        Case(name: "2E Le 257", bytes: "00 B0 00 00 00 01 01", data: 0, expectedLength: 257),
    ]

    @Test(arguments: cases.filter { $0.name != "2E" })
    func roundTrip(_ fixture: Case) throws {
        let apdu = try CommandAPDU(parsing: hex(fixture.bytes))
        #expect(apdu.data.count == fixture.data)
        #expect(apdu.expectedLength == fixture.expectedLength)
        #expect(apdu.serialized() == hex(fixture.bytes))
    }

    @Test func nonCanonicalExtendedEncodingParsesAndReencodesShort() throws {
        // 2E with Le 256 fits the short form, so the value re-encodes as 2S.
        let apdu = try CommandAPDU(parsing: hex("00 B0 00 00 00 01 00"))
        #expect(apdu.expectedLength == 256)
        #expect(apdu.serialized() == hex("00 B0 00 00 00"))
    }

    @Test func extendedCasesWithData() throws {
        let data = [UInt8](repeating: 0xAB, count: 300)
        let case3 = try CommandAPDU(cla: 0x00, ins: 0xD6, p1: 0, p2: 0, data: data)
        #expect(case3.serialized().prefix(7) == [0x00, 0xD6, 0, 0, 0x00, 0x01, 0x2C])
        #expect(case3.serialized().count == 7 + 300)
        #expect(try CommandAPDU(parsing: case3.serialized()) == case3)

        let case4 = try CommandAPDU(cla: 0x80, ins: 0x10, p1: 0, p2: 0, data: data, expectedLength: 65_536)
        #expect(case4.serialized().suffix(2) == [0x00, 0x00])
        #expect(case4.serialized().count == 7 + 300 + 2)
        #expect(try CommandAPDU(parsing: case4.serialized()) == case4)

        // Short data with a long Le forces the extended form for both fields.
        let mixed = try CommandAPDU(cla: 0, ins: 0xB0, p1: 0, p2: 0, data: [1, 2], expectedLength: 1000)
        #expect(mixed.serialized() == hex("00 B0 00 00 00 00 02 01 02 03 E8"))
        #expect(try CommandAPDU(parsing: mixed.serialized()) == mixed)
    }

    @Test(arguments: [
        ("00 A4", CardProtocolError.truncated),
        ("00 A4 04 00 05 01 02", .lengthMismatch),
        ("00 A4 04 00 02 01 02 03 04", .lengthMismatch),
        ("00 A4 04 00 00 01", .malformed),
        ("00 A4 04 00 00 00 00 01", .malformed),
        ("00 A4 04 00 00 00 03 01 02", .lengthMismatch),
    ])
    func malformedCommands(_ bytes: String, _ expected: CardProtocolError) {
        #expect(throws: expected) { try CommandAPDU(parsing: hex(bytes)) }
    }

    @Test func initValidatesLimits() {
        #expect(throws: CardProtocolError.invalidValue) {
            try CommandAPDU(cla: 0, ins: 0, p1: 0, p2: 0, expectedLength: 0)
        }
        #expect(throws: CardProtocolError.invalidValue) {
            try CommandAPDU(cla: 0, ins: 0, p1: 0, p2: 0, expectedLength: 65_537)
        }
        #expect(throws: CardProtocolError.invalidValue) {
            try CommandAPDU(cla: 0, ins: 0, p1: 0, p2: 0, data: [UInt8](repeating: 0, count: 65_536))
        }
    }

    @Test func factories() throws {
        #expect(try CommandAPDU.select(aid: hex("D2760000850101")).serialized()
            == hex("00 A4 04 00 07 D2 76 00 00 85 01 01 00"))
        #expect(throws: CardProtocolError.invalidValue) { try CommandAPDU.select(aid: []) }
        #expect(CommandAPDU.selectFile(id: 0xE103).serialized() == hex("00 A4 00 0C 02 E1 03"))
        #expect(try CommandAPDU.readBinary(offset: 0x0102, length: 15).serialized() == hex("00 B0 01 02 0F"))
        #expect(throws: CardProtocolError.invalidValue) { try CommandAPDU.readBinary(offset: 0x8000, length: 1) }
        #expect(try CommandAPDU.getResponse(length: 256).serialized() == hex("00 C0 00 00 00"))
        #expect(CommandAPDU.getUID.serialized() == hex("FF CA 00 00 00"))
        #expect(CommandAPDU.readBinaryPCSC(page: 4).serialized() == hex("FF B0 00 04 10"))
        #expect(try CommandAPDU.updateBinaryPCSC(page: 5, data: hex("01020304")).serialized()
            == hex("FF D6 00 05 04 01 02 03 04"))
        #expect(throws: CardProtocolError.invalidValue) { try CommandAPDU.updateBinaryPCSC(page: 5, data: []) }
    }
}
