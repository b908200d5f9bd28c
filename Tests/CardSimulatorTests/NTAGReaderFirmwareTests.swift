import CardSimulator
import Testing

/// APDU by APDU against a fresh NTAG213 with UID 04 A1 B2 C3 D4 E5 F6 (BCC0 9F, BCC1 04), as an ACS reader answers.
@Suite("NTAG21x behind an ACS reader's pseudo-APDUs")
struct NTAGReaderFirmwareTests {
    struct Fixture: CustomTestStringConvertible, Sendable {
        let name: String
        let command: String
        let response: String
        var testDescription: String { name }
    }

    static let fixtures: [Fixture] = [
        Fixture(name: "UID", command: "FF CA 00 00 00", response: "04 A1 B2 C3 D4 E5 F6 90 00"),
        Fixture(name: "UID without Le", command: "FF CA 00 00", response: "04 A1 B2 C3 D4 E5 F6 90 00"),
        Fixture(name: "UID, Le exact", command: "FF CA 00 00 07", response: "04 A1 B2 C3 D4 E5 F6 90 00"),
        Fixture(name: "UID, Le too short", command: "FF CA 00 00 04", response: "6C 07"),
        Fixture(name: "UID, Le too long", command: "FF CA 00 00 0A", response: "04 A1 B2 C3 D4 E5 F6 62 82"),
        Fixture(name: "ATS of a Type 2 tag", command: "FF CA 01 00 00", response: "6A 81"),
        Fixture(name: "GET DATA unknown P1", command: "FF CA 02 00 00", response: "6B 00"),
        Fixture(name: "GET DATA unknown P2", command: "FF CA 00 01 00", response: "6B 00"),
        Fixture(
            name: "read pages 0-3", command: "FF B0 00 00 10",
            response: "04 A1 B2 9F C3 D4 E5 F6 04 48 00 00 E1 10 12 00 90 00"),
        Fixture(
            name: "read factory TLVs", command: "FF B0 00 04 10",
            response: "01 03 A0 0C 34 03 00 FE 00 00 00 00 00 00 00 00 90 00"),
        Fixture(name: "read 4 bytes", command: "FF B0 00 00 04", response: "04 A1 B2 9F 90 00"),
        Fixture(
            name: "Le 00 reads 16", command: "FF B0 00 03 00",
            response: "E1 10 12 00 01 03 A0 0C 34 03 00 FE 00 00 00 00 90 00"),
        Fixture(
            name: "dynamic lock, CFG0, CFG1, PWD", command: "FF B0 00 28 10",
            response: "00 00 00 BD 04 00 00 FF 00 05 00 00 00 00 00 00 90 00"),
        Fixture(
            name: "roll-over past the last page, PWD and PACK read as zeros", command: "FF B0 00 2B 10",
            response: "00 00 00 00 00 00 00 00 04 A1 B2 9F C3 D4 E5 F6 90 00"),
        Fixture(name: "read beyond the last page", command: "FF B0 00 2D 10", response: "63 00"),
        Fixture(name: "read page 256", command: "FF B0 01 00 10", response: "63 00"),
        Fixture(name: "read more than 16", command: "FF B0 00 00 11", response: "67 00"),
        Fixture(name: "read without Le", command: "FF B0 00 00", response: "67 00"),
        Fixture(name: "write user page", command: "FF D6 00 04 04 DE AD BE EF", response: "90 00"),
        Fixture(name: "write last user page", command: "FF D6 00 27 04 DE AD BE EF", response: "90 00"),
        Fixture(name: "write 3 bytes", command: "FF D6 00 04 03 DE AD BE", response: "67 00"),
        Fixture(name: "write 16 bytes", command: "FF D6 00 04 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F", response: "67 00"),
        Fixture(name: "Lc larger than the data", command: "FF D6 00 04 05 DE AD BE EF", response: "67 00"),
        Fixture(name: "write UID page 0", command: "FF D6 00 00 04 00 00 00 00", response: "63 00"),
        Fixture(name: "write UID page 1", command: "FF D6 00 01 04 00 00 00 00", response: "63 00"),
        Fixture(name: "write beyond the last page", command: "FF D6 00 2D 04 00 00 00 00", response: "63 00"),
        Fixture(name: "unknown instruction", command: "FF 12 00 00", response: "6D 00"),
        Fixture(name: "ISO 7816 SELECT to a Type 2 tag", command: "00 A4 04 00 07 D2 76 00 00 85 01 01 00", response: "6E 00"),
        Fixture(name: "one byte", command: "FF", response: "67 00"),
        Fixture(name: "three bytes", command: "FF B0 00", response: "67 00"),
        Fixture(name: "empty", command: "", response: "67 00"),
        Fixture(name: "extended length", command: "FF B0 00 00 00 00 10", response: "67 00"),
        Fixture(name: "GET_VERSION by direct transmit", command: "FF 00 00 00 03 D4 42 60", response: "D5 43 00 00 04 04 02 01 00 0F 03 90 00"),
        Fixture(
            name: "READ by direct transmit", command: "FF 00 00 00 04 D4 42 30 00",
            response: "D5 43 00 04 A1 B2 9F C3 D4 E5 F6 04 48 00 00 E1 10 12 00 90 00"),
        Fixture(name: "FAST_READ by direct transmit", command: "FF 00 00 00 05 D4 42 3A 00 01", response: "D5 43 00 04 A1 B2 9F C3 D4 E5 F6 90 00"),
        Fixture(name: "FAST_READ past the end NAKs", command: "FF 00 00 00 05 D4 42 3A 2C 2D", response: "D5 43 01 90 00"),
        Fixture(name: "unknown tag command NAKs", command: "FF 00 00 00 03 D4 42 99", response: "D5 43 01 90 00"),
        Fixture(name: "wrong PWD_AUTH NAKs", command: "FF 00 00 00 07 D4 42 1B 00 00 00 00", response: "D5 43 01 90 00"),
        Fixture(name: "default PWD_AUTH", command: "FF 00 00 00 07 D4 42 1B FF FF FF FF", response: "D5 43 00 00 00 90 00"),
        Fixture(name: "LED green", command: "FF 00 40 0A 04 01 01 01 01", response: "90 02"),
        Fixture(name: "buzzer off", command: "FF 00 52 00 00", response: "90 00"),
        Fixture(name: "unknown escape", command: "FF 00 48 00 00", response: "6A 81"),
    ]

    @Test(arguments: fixtures)
    func answers(_ fixture: Fixture) throws {
        let tag = try NTAGTag(model: .ntag213)
        #expect(hex(tag.respond(to: bytes(fixture.command))) == hex(bytes(fixture.response)))
    }

    @Test func atrIsThePCSCStorageCardATRForUltralight() throws {
        for model in NTAGModel.allCases {
            #expect(hex(try NTAGTag(model: model).atr) == "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 03 00 00 00 00 68")
        }
    }

    @Test func aWriteIsReadBack() throws {
        let tag = try NTAGTag(model: .ntag215)
        #expect(tag.respond(to: bytes("FF D6 00 81 04 CA FE BA BE")) == bytes("90 00"))
        #expect(tag.page(0x81) == bytes("CA FE BA BE"))
        #expect(tag.respond(to: bytes("FF B0 00 81 04")) == bytes("CA FE BA BE 90 00"))
        #expect(tag.respond(to: bytes("FF 00 00 00 04 D4 42 30 81")).prefix(7) == bytes("D5 43 00 CA FE BA BE")[...])
    }

    @Test func aWriteByDirectTransmitIsAcknowledged() throws {
        let tag = try NTAGTag(model: .ntag216)
        #expect(tag.respond(to: bytes("FF 00 00 00 08 D4 42 A2 E1 01 02 03 04")) == bytes("D5 43 00 90 00"))
        #expect(tag.page(0xE1) == bytes("01 02 03 04"))
        #expect(tag.respond(to: bytes("FF 00 00 00 08 D4 42 A2 00 01 02 03 04")) == bytes("D5 43 01 90 00"))
    }

    @Test(arguments: NTAGModel.allCases)
    func memoryMapFollowsTheDatasheet(_ model: NTAGModel) throws {
        let tag = try NTAGTag(model: model)
        let expected: (pages: Int, user: Int, cc: UInt8) =
            switch model {
            case .ntag213: (45, 144, 0x12)
            case .ntag215: (135, 504, 0x3E)
            case .ntag216: (231, 888, 0x6D)
            }
        #expect(tag.memory.count == expected.pages * 4)
        #expect(model.userMemorySize == expected.user)
        #expect(tag.page(3) == [0xE1, 0x10, expected.cc, 0x00])
        #expect(tag.page(expected.pages - 1) != nil)
        #expect(tag.page(expected.pages) == nil)
        #expect(tag.respond(to: [0xFF, 0xB0, 0x00, UInt8(expected.pages - 1), 0x04]) == [0, 0, 0, 0, 0x90, 0x00])
        #expect(tag.respond(to: [0xFF, 0xB0, 0x00, UInt8(expected.pages), 0x04]) == bytes("63 00"))
        #expect(tag.respond(to: [0xFF, 0xD6, 0x00, UInt8(4 + expected.user / 4 - 1), 0x04, 1, 2, 3, 4]) == bytes("90 00"))
    }

    @Test func factoryContentPerModel() throws {
        #expect(try NTAGTag(model: .ntag213).userMemory.prefix(8) == bytes("01 03 A0 0C 34 03 00 FE")[...])
        #expect(try NTAGTag(model: .ntag215).userMemory.prefix(4) == bytes("03 00 FE 00")[...])
        #expect(try NTAGTag(model: .ntag216).userMemory.prefix(4) == bytes("03 00 FE 00")[...])
    }

    @Test func userDataLargerThanTheTagIsRefused() {
        #expect(throws: CardSimulatorError(.ndefTooLarge, "")) {
            try NTAGTag(model: .ntag213, userData: [UInt8](repeating: 0, count: 145))
        }
        #expect(throws: Never.self) { try NTAGTag(model: .ntag213, userData: [UInt8](repeating: 0, count: 144)) }
    }

    /// The firmware is total: any bytes give an answer ending in a status word, never a crash.
    @Test func anyBytesGetAnAnswer() throws {
        let tag = try NTAGTag(model: .ntag213)
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 40)
            var command = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            // Steer half the inputs into the reader's own class so every handler is exercised.
            if generator.next() % 2 == 0, !command.isEmpty { command[0] = 0xFF }
            if generator.next() % 2 == 0, command.count > 1 { command[1] = [0xCA, 0xB0, 0xD6, 0x00][Int(generator.next() % 4)] }
            let response = tag.respond(to: command)
            #expect(response.count >= 2, "no status word for \(hex(command))")
            if response.count < 2 { return }
        }
    }
}

/// A small deterministic generator, so a failing input can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
