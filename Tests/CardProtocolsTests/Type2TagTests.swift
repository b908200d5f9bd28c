import CardProtocols
import Testing

/// A Type 2 tag behind a PC/SC reader: answers `FF B0 00 page 10` with 4 pages, rolling over like NTAG.
actor FakeType2Card {
    let memory: [UInt8]
    private(set) var readPages: [UInt8] = []

    init(pages: [UInt8]) { self.memory = pages }

    func transmit(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.cla == 0xFF, command.ins == 0xB0, command.p1 == 0 else {
            return ResponseAPDU(status: .instructionNotSupported)
        }
        readPages.append(command.p2)
        let start = Int(command.p2) * 4
        let bytes = (0..<16).map { memory[(start + $0) % memory.count] }
        return ResponseAPDU(data: bytes, status: .success)
    }

    /// An NTAG image: UID pages, the CC, then the data area padded with zeros.
    static func ntag(_ model: Type2Tag.Model, dataArea: [UInt8]) -> FakeType2Card {
        var pages = hex("04 A2 24 C2 52 8B 6C 80 9E 48 00 00") + model.capabilityContainer.serialized()
        pages += dataArea + [UInt8](repeating: 0, count: model.userMemorySize - dataArea.count)
        pages += [UInt8](repeating: 0, count: (model.totalPages - model.userPages.upperBound - 1) * 4)
        return FakeType2Card(pages: pages)
    }
}

@Suite struct Type2TagTests {
    // MARK: Capability container

    @Test(arguments: [
        (Type2Tag.Model.ntag213, "E1 10 12 00", 144, 144),
        (.ntag215, "E1 10 3E 00", 504, 496),
        (.ntag216, "E1 10 6D 00", 888, 872),
    ])
    func ntagCapabilityContainers(_ model: Type2Tag.Model, _ cc: String, _ userMemory: Int, _ size: Int) throws {
        #expect(model.capabilityContainer.serialized() == hex(cc))
        #expect(model.userMemorySize == userMemory)
        #expect(model.dataAreaSize == size)
        let parsed = try Type2CapabilityContainer(parsing: hex(cc))
        #expect(parsed.dataAreaSize == size)
        #expect(!parsed.isReadOnly)
        #expect(parsed.isReadable)
        #expect(parsed == model.capabilityContainer)
    }

    @Test func modelLayoutsFromTheDatasheet() {
        #expect(Type2Tag.Model.ntag213.totalPages == 45)
        #expect(Type2Tag.Model.ntag215.totalPages == 135)
        #expect(Type2Tag.Model.ntag216.totalPages == 231)
        #expect(Type2Tag.Model.ntag213.dynamicLockPage == 0x28)
        #expect(Type2Tag.Model.ntag215.configurationPages == 0x83...0x84)
        #expect(Type2Tag.Model.ntag216.passwordPage == 0xE5)
        for model in Type2Tag.Model.all {
            // User pages end right before the dynamic lock page; PACK is the last page.
            #expect(model.userPages.upperBound + 1 == model.dynamicLockPage)
            #expect(model.passwordAcknowledgePage == model.totalPages - 1)
        }
        #expect(Type2Tag.Model(versionResponse: hex("00 04 04 02 01 00 11 03")) == .ntag215)
        #expect(Type2Tag.Model(versionResponse: hex("00 04 04 02 01 00 12 03")) == nil)
    }

    @Test(arguments: [
        ("E1 10", CardProtocolError.truncated),
        ("E2 10 12 00", .invalidValue),
        ("E1 20 12 00", .unsupported),
    ])
    func badCapabilityContainers(_ bytes: String, _ expected: CardProtocolError) {
        #expect(throws: expected) { try Type2CapabilityContainer(parsing: hex(bytes)) }
    }

    @Test func readOnlyAccess() throws {
        #expect(try Type2CapabilityContainer(parsing: hex("E1 10 12 0F")).isReadOnly)
        #expect(try Type2CapabilityContainer(dataAreaSize: 48, isReadOnly: true).serialized() == hex("E1 10 06 0F"))
        #expect(throws: CardProtocolError.invalidValue) { try Type2CapabilityContainer(dataAreaSize: 50) }
    }

    // MARK: Data area TLVs

    @Test func factoryNTAG213IsEmptyButFormatted() throws {
        let memory = try Type2TagMemory(parsing: hex("01 03 A0 0C 34 03 00 FE") + [UInt8](repeating: 0, count: 136))
        #expect(memory.hasNDEFTLV)
        #expect(memory.ndefMessage == nil)
        let lock = try #require(memory.lockControls.first)
        #expect(lock.value == hex("A0 0C 34"))
        #expect(lock.pageAddress == 0x0A)
        #expect(lock.byteOffset == 0)
        #expect(lock.sizeInBits == 12)
        #expect(lock.bytesPerPage == 16)
        #expect(lock.bytesLockedPerBit == 8)
        #expect(lock.byteAddress == 160)  // page 40 × 4: NTAG213's dynamic lock bytes
        #expect(memory.usedLength == 7)
    }

    @Test func messageAfterNullsMemoryControlAndProprietary() throws {
        let message = hex("D1 01 08 55 02 6E 78 70 2E 63 6F 6D")
        let area = hex("00 00 02 03 B0 10 44 FD 02 AA BB 03 0C") + message + hex("FE")
        let memory = try Type2TagMemory(parsing: area)
        #expect(memory.ndefMessage == message)
        #expect(memory.memoryControls.first?.size == 16)
        #expect(memory.memoryControls.first?.byteAddress == 0x0B * 16)
        #expect(try NDEFMessage(parsing: #require(memory.ndefMessage)).records.first?.uri == "https://www.nxp.com")
    }

    @Test func threeByteLengthForm() throws {
        let message = [UInt8](repeating: 0x5A, count: 300)
        let area = try Type2TagMemory.dataArea(forNDEF: message, capacity: 504)
        #expect(Array(area.prefix(4)) == hex("03 FF 01 2C"))
        #expect(area.last == 0xFE)
        #expect(area.count == 4 + 300 + 1)
        #expect(try Type2TagMemory(parsing: area).ndefMessage == message)
    }

    @Test func dataAreaEncoding() throws {
        let message = try NDEFMessage(records: [.uri("https://parcours.example/c/1")]).serialized()
        let area = try Type2TagMemory.dataArea(forNDEF: message, capacity: 144)
        #expect(area == [0x03, UInt8(message.count)] + message + [0xFE])
        // 254 bytes still use the 1-byte length; 255 switch to FF xx xx.
        #expect(try Type2TagMemory.dataArea(forNDEF: [UInt8](repeating: 0, count: 254), capacity: 504)[1] == 0xFE)
        #expect(try Type2TagMemory.dataArea(forNDEF: [UInt8](repeating: 0, count: 255), capacity: 504)[1] == 0xFF)
        // Exactly full: no room for the terminator, none written.
        #expect(try Type2TagMemory.dataArea(forNDEF: [UInt8](repeating: 1, count: 142), capacity: 144).count == 144)
        do {
            _ = try Type2TagMemory.dataArea(forNDEF: [UInt8](repeating: 0, count: 143), capacity: 144)
            Issue.record("an oversized message was accepted")
        } catch {
            #expect(error.code == .limitExceeded)
            #expect(error.message == "NDEF message of 143 bytes does not fit a tag with 144 bytes")
        }
    }

    @Test func noNDEFTLV() throws {
        let blank = try Type2TagMemory(parsing: [UInt8](repeating: 0, count: 48))
        #expect(!blank.hasNDEFTLV)
        #expect(blank.ndefMessage == nil)
        #expect(try !Type2TagMemory(parsing: hex("FE 03 05")).hasNDEFTLV)
    }

    @Test(arguments: [
        ("03", CardProtocolError.truncated),
        ("03 05 D1 01", .truncated),
        ("03 FF 01", .truncated),
        ("03 FF 01 00 00", .truncated),
        ("03 FF FF FF", .invalidValue),
        ("01 02 A0 0C", .invalidValue),
        ("02 04 00 00 00 00", .invalidValue),
        ("FD 09 00", .truncated),
    ])
    func malformedDataAreas(_ bytes: String, _ expected: CardProtocolError) {
        #expect(throws: expected) { try Type2TagMemory(parsing: hex(bytes)) }
    }

    // MARK: Read planning

    @Test func plannerAsksOnlyForTheReadsTheMessageNeeds() throws {
        // First read gives 12 data bytes. A TLV of 2 + 40 bytes needs 42: two more reads (pages 7 and 11).
        let prefix = hex("03 28") + [UInt8](repeating: 0, count: 10)
        #expect(try Type2Tag.pagesToRead(dataAreaPrefix: prefix, dataAreaSize: 144) == [7, 11])
        // A small message already inside the first read needs nothing more.
        #expect(try Type2Tag.pagesToRead(dataAreaPrefix: hex("03 03 D0 00 00 FE 00 00 00 00 00 00"), dataAreaSize: 144) == [])
        // A cut 3-byte length: read one more block, then plan again.
        let cut = [UInt8](repeating: 0, count: 10) + hex("03 FF")
        #expect(try Type2Tag.pagesToRead(dataAreaPrefix: cut, dataAreaSize: 504) == [7])
        #expect(throws: CardProtocolError.lengthMismatch) {
            try Type2Tag.pagesToRead(dataAreaPrefix: hex("03 FF 02 00") + [UInt8](repeating: 0, count: 8), dataAreaSize: 504)
        }
        #expect(throws: CardProtocolError.invalidValue) {
            try Type2Tag.pagesToRead(dataAreaPrefix: hex("03 28 00"), dataAreaSize: 144)
        }
        // All-zero data area: keep reading until the end, then nothing more.
        #expect(try Type2Tag.pagesToRead(dataAreaPrefix: [UInt8](repeating: 0, count: 12), dataAreaSize: 48) == [7])
        #expect(try Type2Tag.pagesToRead(dataAreaPrefix: [UInt8](repeating: 0, count: 48), dataAreaSize: 48) == [])
    }

    @Test(arguments: [Type2Tag.Model.ntag213, .ntag215, .ntag216])
    func readsAFullTagWithMinimalReads(_ model: Type2Tag.Model) async throws {
        let payloadSize = model.dataAreaSize - 12
        let message = try NDEFMessage(records: [.mime("application/x-test", [UInt8](repeating: 0x33, count: payloadSize - 30))]).serialized()
        let area = try Type2TagMemory.dataArea(forNDEF: message, capacity: model.dataAreaSize)
        let card = FakeType2Card.ntag(model, dataArea: area)
        let contents = try await Type2Tag.readContents { await card.transmit($0) }
        #expect(contents.memory.ndefMessage == message)
        #expect(contents.capabilityContainer == model.capabilityContainer)
        let needed = area.count - (area.last == 0xFE ? 1 : 0)
        #expect(contents.readCount == 1 + (max(0, needed - 12) + 15) / 16)
        #expect(await card.readPages.first == 3)
    }

    @Test func readsAShortURLInTwoReads() async throws {
        let message = try NDEFMessage(records: [.uri("https://parcours.example/c/1")]).serialized()
        let card = FakeType2Card.ntag(.ntag213, dataArea: try Type2TagMemory.dataArea(forNDEF: message, capacity: 144))
        let contents = try await Type2Tag.readContents { await card.transmit($0) }
        #expect(try NDEFMessage(parsing: #require(contents.memory.ndefMessage)).records.first?.uri
            == "https://parcours.example/c/1")
        #expect(await card.readPages == [3, 7])
    }

    @Test func readStopsOnBadStatusAndForeignCC() async {
        let refusing = ScriptedCard(["6A 82"])
        await #expect(throws: CardProtocolError.unexpectedStatus) {
            try await Type2Tag.readContents { try await refusing.transmit($0) }
        }
        let unformatted = FakeType2Card(pages: [UInt8](repeating: 0, count: 64))
        await #expect(throws: CardProtocolError.invalidValue) {
            try await Type2Tag.readContents { await unformatted.transmit($0) }
        }
        let short = ScriptedCard(["E1 10 12 00 9000"])
        await #expect(throws: CardProtocolError.truncated) {
            try await Type2Tag.readContents { try await short.transmit($0) }
        }
    }
}
