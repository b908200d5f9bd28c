import CardProtocols
import Testing

/// A minimal NDEF Type 4 application: SELECT by AID and by file id, READ BINARY with offset and Le.
actor FakeType4Card {
    let files: [UInt16: [UInt8]]
    private var applicationSelected = false
    private var selected: [UInt8]?
    private(set) var log: [CommandAPDU] = []

    init(capabilityContainer: [UInt8], ndefFile: [UInt8], ndefFileID: UInt16 = 0xE104) {
        self.files = [0xE103: capabilityContainer, ndefFileID: ndefFile]
    }

    func transmit(_ command: CommandAPDU) -> ResponseAPDU {
        log.append(command)
        switch (command.ins, command.p1) {
        case (0xA4, 0x04):
            applicationSelected = command.data == Type4Tag.ndefApplicationAID
            return ResponseAPDU(status: applicationSelected ? .success : .fileNotFound)
        case (0xA4, 0x00):
            guard applicationSelected, command.data.count == 2 else { return ResponseAPDU(status: .fileNotFound) }
            selected = files[UInt16(command.data[0]) << 8 | UInt16(command.data[1])]
            return ResponseAPDU(status: selected == nil ? .fileNotFound : .success)
        case (0xB0, _):
            guard let file = selected else { return ResponseAPDU(status: .commandNotAllowed) }
            let offset = Int(command.p1) << 8 | Int(command.p2)
            let end = min(file.count, offset + (command.expectedLength ?? 0))
            guard offset <= end else { return ResponseAPDU(status: .wrongParametersP1P2) }
            return ResponseAPDU(data: Array(file[offset..<end]), status: .success)
        default:
            return ResponseAPDU(status: .instructionNotSupported)
        }
    }
}

@Suite struct Type4TagTests {
    /// NTAG 424 DNA as delivered: CC file 01 (E103), 32 bytes, with a proprietary TLV for file E105.
    static let ntag424CC = "00 17 20 01 00 00 FF 04 06 E1 04 01 00 00 00 05 06 E1 05 00 80 82 83 00 00 00 00 00 00 00 00 00"
    /// The CC commonly put on DESFire EV1 NDEF applications: MLe 3B, MLc 34, read-only.
    static let desfireCC = "00 0F 20 00 3B 00 34 04 06 E1 04 00 FF 00 FF"

    @Test func ntag424CapabilityContainer() throws {
        let cc = try Type4CapabilityContainer(parsing: hex(Self.ntag424CC))
        #expect(cc.length == 0x17)
        #expect(cc.majorVersion == 2 && cc.minorVersion == 0)
        #expect(cc.maximumResponseLength == 256)
        #expect(cc.maximumCommandLength == 255)
        #expect(cc.ndefFile.fileID == 0xE104)
        #expect(cc.ndefFile.maximumSize == 256)
        #expect(cc.ndefFile.isReadable && cc.ndefFile.isWritable)
        #expect(cc.ndefFile.lengthFieldSize == 2)
    }

    @Test func desfireCapabilityContainerRoundTrips() throws {
        let cc = try Type4CapabilityContainer(parsing: hex(Self.desfireCC))
        #expect(cc.maximumResponseLength == 0x3B)
        #expect(!cc.ndefFile.isWritable)
        #expect(cc.serialized() == hex(Self.desfireCC))
    }

    @Test func extendedVersion3Container() throws {
        let bytes = hex("00 11 30 00 FF 00 FF 06 08 E1 04 00 01 00 00 00 00")
        let cc = try Type4CapabilityContainer(parsing: bytes)
        #expect(cc.majorVersion == 3)
        #expect(cc.ndefFile.isExtended)
        #expect(cc.ndefFile.maximumSize == 0x1_0000)
        #expect(cc.ndefFile.lengthFieldSize == 4)
        #expect(cc.serialized() == bytes)
        #expect(Type4Tag.lengthRead(for: cc).serialized() == hex("00 B0 00 00 04"))
        #expect(try Type4Tag.messageLength(parsing: hex("00 00 01 00"), for: cc) == 256)
        #expect(Type4Tag.capabilityContainerRemainderRead(firstBytes: Array(bytes.prefix(15)))?.serialized()
            == hex("00 B0 00 0F 02"))
        #expect(Type4Tag.capabilityContainerRemainderRead(firstBytes: hex(Self.desfireCC)) == nil)
    }

    @Test func buildsContainersForSimulators() throws {
        let cc = try Type4CapabilityContainer(
            maximumResponseLength: 0x3B, maximumCommandLength: 0x34,
            ndefFile: .init(fileID: 0xE104, maximumSize: 0x00FF, writeAccess: 0xFF))
        #expect(cc.serialized() == hex(Self.desfireCC))
        #expect(throws: CardProtocolError.invalidValue) {
            try Type4CapabilityContainer(
                maximumResponseLength: 0x3B, maximumCommandLength: 0x34, ndefFile: .init(fileID: 0xE104, maximumSize: 0x10000, isExtended: true))
        }
    }

    @Test(arguments: [
        ("00 0F 20 00 3B", CardProtocolError.truncated, "cut in MLc"),
        ("00 0F 20 00 3B 00 34 04 06 E1 04 00", .truncated, "cut in the TLV"),
        ("00 0E 20 00 3B 00 34 04 06 E1 04 00 FF 00 00", .invalidValue, "CCLEN below 15"),
        ("00 0F 10 00 3B 00 34 04 06 E1 04 00 FF 00 00", .unsupported, "mapping version 1.0"),
        ("00 0F 40 00 3B 00 34 04 06 E1 04 00 FF 00 00", .unsupported, "mapping version 4.0"),
        ("00 0F 20 00 00 00 34 04 06 E1 04 00 FF 00 00", .invalidValue, "MLe 0"),
        ("00 0F 20 00 3B 00 00 04 06 E1 04 00 FF 00 00", .invalidValue, "MLc 0"),
        ("00 0F 20 00 3B 00 34 05 06 E1 04 00 FF 00 00", .malformed, "proprietary TLV first"),
        ("00 0F 20 00 3B 00 34 04 05 E1 04 00 FF 00 00", .malformed, "short NDEF TLV"),
        ("00 0F 20 00 3B 00 34 04 06 E1 03 00 FF 00 00", .invalidValue, "NDEF file id E103"),
        ("00 0F 20 00 3B 00 34 04 06 E1 04 00 02 00 00", .invalidValue, "maximum size 2"),
        ("00 11 20 00 FF 00 FF 06 08 E1 04 00 01 00 00 00 00", .invalidValue, "extended TLV in version 2.0"),
    ])
    func malformedContainers(_ bytes: String, _ expected: CardProtocolError, _ reason: String) {
        #expect(throws: expected, "\(reason)") { try Type4CapabilityContainer(parsing: hex(bytes)) }
    }

    @Test func messageLengthIsCheckedAgainstTheFile() throws {
        let cc = try Type4CapabilityContainer(parsing: hex(Self.desfireCC))  // file of 255 bytes
        #expect(try Type4Tag.messageLength(parsing: hex("00 FD"), for: cc) == 253)
        #expect(throws: CardProtocolError.lengthMismatch) { try Type4Tag.messageLength(parsing: hex("00 FE"), for: cc) }
        #expect(throws: CardProtocolError.truncated) { try Type4Tag.messageLength(parsing: hex("00"), for: cc) }
    }

    @Test func messageReadsAreChunkedByMLe() throws {
        let cc = try Type4CapabilityContainer(parsing: hex(Self.desfireCC))
        let reads = try Type4Tag.messageReads(messageLength: 200, for: cc)
        #expect(reads.map { $0.serialized() } == [
            hex("00 B0 00 02 3B"), hex("00 B0 00 3D 3B"), hex("00 B0 00 78 3B"), hex("00 B0 00 B3 17"),
        ])
        #expect(try Type4Tag.messageReads(messageLength: 0, for: cc).isEmpty)
        let big = try Type4CapabilityContainer(parsing: hex(Self.ntag424CC))
        #expect(try Type4Tag.messageReads(messageLength: 300, for: big).map(\.expectedLength) == [255, 45])
        #expect(try Type4Tag.messageReads(messageLength: 254, for: big, maximumReadLength: 100).map(\.expectedLength) == [100, 100, 54])
    }

    @Test func offsetsBeyond7FFFAreRefused() throws {
        let cc = try Type4CapabilityContainer(parsing: hex("00 11 30 00 FF 00 FF 06 08 E1 04 00 01 00 00 00 00"))
        #expect(throws: CardProtocolError.unsupported) { try Type4Tag.messageReads(messageLength: 0x9000, for: cc) }
    }

    @Test func readsAnNTAG424URL() async throws {
        let message = try NDEFMessage(records: [.uri("https://parcours.example/t?picc_data=EF963FF7828658A599F3041510671E88&cmac=94EED9EE65337086")]).serialized()
        var file = [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
        file += [UInt8](repeating: 0, count: 256 - file.count)
        let card = FakeType4Card(capabilityContainer: hex(Self.ntag424CC), ndefFile: file)
        let contents = try await Type4Tag.readContents { await card.transmit($0) }
        #expect(contents.ndefMessage == message)
        #expect(contents.commandCount == 6)  // select app, select CC, read CC, select file, NLEN, 1 read
        let log = await card.log.map { $0.serialized() }
        #expect(log.prefix(3) == [hex("00 A4 04 00 07 D2 76 00 00 85 01 01 00"), hex("00 A4 00 0C 02 E1 03"), hex("00 B0 00 00 0F")])
        #expect(log[3] == hex("00 A4 00 0C 02 E1 04"))
        #expect(log[4] == hex("00 B0 00 00 02"))
    }

    @Test func emptyNDEFFileGivesNil() async throws {
        let card = FakeType4Card(capabilityContainer: hex(Self.desfireCC), ndefFile: [0, 0] + [UInt8](repeating: 0, count: 253))
        let contents = try await Type4Tag.readContents { await card.transmit($0) }
        #expect(contents.ndefMessage == nil)
        #expect(contents.capabilityContainer.maximumResponseLength == 0x3B)
    }

    @Test func failuresAreTyped() async {
        // A payment card without the NDEF application.
        let payment = ScriptedCard(["6A 82"])
        await #expect(throws: CardProtocolError.unexpectedStatus) {
            try await Type4Tag.readContents { try await payment.transmit($0) }
        }
        // A card returning fewer CC bytes than asked for.
        let short = ScriptedCard(["9000", "9000", "00 0F 20 9000"])
        await #expect(throws: CardProtocolError.truncated) {
            try await Type4Tag.readContents { try await short.transmit($0) }
        }
        // A CC that denies reading the NDEF file.
        let locked = FakeType4Card(capabilityContainer: hex("00 0F 20 00 3B 00 34 04 06 E1 04 00 FF 80 FF"), ndefFile: [0, 0])
        await #expect(throws: CardProtocolError.unsupported) {
            try await Type4Tag.readContents { await locked.transmit($0) }
        }
    }
}
