import CardProtocols
import Testing

@Suite struct EMVTests {
    // MARK: PPSE

    @Test func ppseCandidatesAreSortedByPriority() throws {
        let candidates = try EMVApplicationCandidate.candidates(fromPPSE: hex(EMVFixtures.ppseFCI))
        #expect(candidates.map(\.aid) == [hex("A0000000031010"), hex("A0000000041010")])
        #expect(candidates.map(\.label) == ["VISA CREDIT", "MASTERCARD"])
        #expect(candidates.map(\.priority) == [1, 2])
    }

    @Test func missingPriorityGoesLastAndTiesKeepCardOrder() throws {
        func entry(_ aid: String, _ priority: UInt8?) -> TLV {
            var children = [TLV(tag: 0x4F, value: hex(aid))]
            if let priority { children.append(TLV(tag: 0x87, value: [priority])) }
            return TLV(tag: 0x61, children: children)
        }
        let fci = TLV(tag: 0x6F, children: [
            TLV(tag: 0x84, value: CommandAPDU.ppseName),
            TLV(tag: 0xA5, children: [TLV(tag: 0xBF0C, children: [
                entry("A0000000011111", nil),
                entry("A0000000022222", 0x82),  // priority 2, confirmation required
                entry("A0000000033333", 0x00),  // 0 = no priority
                entry("A0000000044444", 0x02),
                entry("A00000", 0x01),  // AID too short: skipped
                entry("A0000000055555", 0x01),
            ])]),
        ]).serialized()
        let candidates = try EMVApplicationCandidate.candidates(fromPPSE: fci)
        #expect(candidates.map(\.aid) == [
            hex("A0000000055555"), hex("A0000000022222"), hex("A0000000044444"), hex("A0000000011111"), hex("A0000000033333"),
        ])
        #expect(candidates[1].requiresConfirmation)
        #expect(!candidates[0].requiresConfirmation)
        #expect(candidates[4].priority == nil)
    }

    @Test func ppseWithoutDirectoryIsEmptyAndNonFCIIsMalformed() throws {
        #expect(try EMVApplicationCandidate.candidates(fromPPSE: hex("6F 10 84 0E 32 50 41 59 2E 53 59 53 2E 44 44 46 30 31")).isEmpty)
        #expect(throws: CardProtocolError.malformed) { try EMVApplicationCandidate.candidates(fromPPSE: hex("77 02 82 00")) }
        #expect(throws: CardProtocolError.malformed) { try EMVApplicationCandidate.candidates(fromPPSE: []) }
        #expect(throws: CardProtocolError.truncated) { try EMVApplicationCandidate.candidates(fromPPSE: hex("6F 10 84 0E 32")) }
    }

    // MARK: Application FCI

    @Test func applicationFCIGivesPDOLAndLabel() throws {
        let fci = try EMVApplicationFCI(parsing: hex(EMVFixtures.visaFCI))
        #expect(fci.dedicatedFileName == hex("A0000000031010"))
        #expect(fci.label == "VISA CREDIT")
        #expect(fci.priority == 1)
        #expect(fci.preferredName == nil)
        let pdol = try #require(fci.processingOptionsDOL)
        #expect(pdol.serialized() == hex(EMVFixtures.visaPDOL))
        #expect(fci.objects.first(tag: 0x5F2D)?.value == Array("enfr".utf8))
    }

    @Test func applicationFCIWithoutPDOL() throws {
        let fci = try EMVApplicationFCI(parsing: hex("6F 0B 84 07 A0 00 00 00 04 10 10 A5 00"))
        #expect(fci.processingOptionsDOL == nil)
        #expect(fci.label == nil)
        #expect(throws: CardProtocolError.malformed) { try EMVApplicationFCI(parsing: hex("6F 02 A5 00")) }
    }

    // MARK: GPO

    @Test func gpoFormat1() throws {
        let response = try GPOResponse(parsing: hex("80 0E 5C 00 08 01 01 00 10 01 04 00 18 01 02 01"))
        #expect(response.applicationInterchangeProfile == hex("5C00"))
        #expect(response.applicationFileLocator.entries.count == 3)
        #expect(response.applicationFileLocator.readRecordCommands.count == 1 + 4 + 2)
        #expect(response.objects.isEmpty)
    }

    @Test func gpoFormat2() throws {
        let response = try GPOResponse(parsing: hex("77 13 82 02 20 00 94 08 18 01 01 00 20 01 02 00 9F 36 02 00 07"))
        #expect(response.applicationInterchangeProfile == hex("2000"))
        #expect(response.applicationFileLocator.entries.map(\.sfi) == [3, 4])
        #expect(response.applicationFileLocator.readRecordCommands.map { $0.serialized() } == [
            hex("00 B2 01 1C 00"), hex("00 B2 01 24 00"), hex("00 B2 02 24 00"),
        ])
        #expect(response.objects.first(tag: 0x9F36)?.value == hex("0007"))
        let noAFL = try GPOResponse(parsing: hex("77 04 82 02 20 00"))
        #expect(noAFL.applicationFileLocator.entries.isEmpty)
    }

    @Test(arguments: [
        ("80 01 5C", CardProtocolError.truncated),
        ("80 05 5C 00 08 01 01", .lengthMismatch),
        ("77 04 94 02 08 01", .malformed),
        ("70 02 82 00", .malformed),
        ("77 06 82 02 20 00 00", .truncated),
    ])
    func malformedGPO(_ bytes: String, _ expected: CardProtocolError) {
        #expect(throws: expected) { try GPOResponse(parsing: hex(bytes)) }
    }

    // MARK: AFL

    @Test func aflEntries() throws {
        let afl = try ApplicationFileLocator(parsing: hex("08 01 01 00 10 01 04 02"))
        #expect(afl.entries.map(\.sfi) == [1, 2])
        #expect(afl.entries[1].firstRecord == 1 && afl.entries[1].lastRecord == 4)
        #expect(afl.entries[1].offlineAuthenticationRecordCount == 2)
        #expect(afl.serialized() == hex("08 01 01 00 10 01 04 02"))
        #expect(afl.readRecordCommands.first?.serialized() == hex("00 B2 01 0C 00"))
    }

    @Test(arguments: [
        ("08 01 01", CardProtocolError.lengthMismatch, "not a multiple of 4"),
        ("00 01 01 00", .invalidValue, "SFI 0"),
        ("F8 01 01 00", .invalidValue, "SFI 31"),
        ("08 00 01 00", .invalidValue, "record 0"),
        ("08 03 02 00", .invalidValue, "first after last"),
        ("08 01 02 03", .invalidValue, "ODA count larger than the range"),
    ])
    func malformedAFL(_ bytes: String, _ expected: CardProtocolError, _ reason: String) {
        #expect(throws: expected, "\(reason)") { try ApplicationFileLocator(parsing: hex(bytes)) }
    }

    // MARK: Commands

    @Test func emvCommands() throws {
        #expect(CommandAPDU.selectPPSE.serialized()
            == hex("00 A4 04 00 0E 32 50 41 59 2E 53 59 53 2E 44 44 46 30 31 00"))
        #expect(try CommandAPDU.getProcessingOptions(pdolData: []).serialized() == hex("80 A8 00 00 02 83 00 00"))
        #expect(try CommandAPDU.getProcessingOptions(pdolData: hex("01 02 03")).serialized()
            == hex("80 A8 00 00 05 83 03 01 02 03 00"))
        #expect(try CommandAPDU.readRecord(sfi: 1, record: 1).serialized() == hex("00 B2 01 0C 00"))
        #expect(try CommandAPDU.readRecord(sfi: 30, record: 16).serialized() == hex("00 B2 10 F4 00"))
        #expect(throws: CardProtocolError.invalidValue) { try CommandAPDU.readRecord(sfi: 0, record: 1) }
        #expect(throws: CardProtocolError.invalidValue) { try CommandAPDU.readRecord(sfi: 31, record: 1) }
        #expect(throws: CardProtocolError.invalidValue) { try CommandAPDU.readRecord(sfi: 1, record: 0) }
    }

    // MARK: Terminal data

    @Test func identificationTapPDOLData() throws {
        let terminal = try EMVTerminalData(
            countryCode: 250, currencyCode: 978, year: 2026, month: 11, day: 22, unpredictableNumber: hex("DEADBEEF"))
        let pdol = try DataObjectList(parsing: hex(EMVFixtures.visaPDOL))
        let data = terminal.processingOptionsData(for: pdol)
        #expect(data == hex("""
            20 00 40 00  00 00 00 00 00 00  00 00 00 00 00 00  02 50  00 00 00 00 00  09 78  26 11 22  00  DE AD BE EF
            """))
        #expect(data.count == pdol.totalLength)
        let gpo = try CommandAPDU.getProcessingOptions(pdolData: data)
        #expect(gpo.serialized().prefix(7) == [0x80, 0xA8, 0x00, 0x00, 0x23, 0x83, 0x21])
        #expect(terminal.processingOptionsData(for: nil).isEmpty)
        #expect(terminal.values[0x9F35] == [0x22])
    }

    @Test func terminalDataValidation() {
        #expect(throws: CardProtocolError.invalidValue) {
            try EMVTerminalData(countryCode: 1000, currencyCode: 978, year: 2026, month: 1, day: 1, unpredictableNumber: [1, 2, 3, 4])
        }
        #expect(throws: CardProtocolError.invalidValue) {
            try EMVTerminalData(countryCode: 250, currencyCode: 978, year: 2026, month: 13, day: 1, unpredictableNumber: [1, 2, 3, 4])
        }
        #expect(throws: CardProtocolError.invalidValue) {
            try EMVTerminalData(countryCode: 250, currencyCode: 978, year: 2026, month: 1, day: 1, unpredictableNumber: [1, 2, 3])
        }
    }
}
