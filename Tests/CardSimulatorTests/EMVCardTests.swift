import CardProtocols
import CardSimulator
import Testing

/// Contactless Visa and Mastercard cards read for identification, walked with the project's own
/// EMV parsers, then command by command.
@Suite("EMV contactless cards")
struct EMVCardTests {
    struct Identification {
        var candidates: [EMVApplicationCandidate] = []
        var fci: EMVApplicationFCI?
        var gpo: GPOResponse?
        var records: [TLV] = []

        func value(_ tag: TLVTag) -> [UInt8]? { records.first(tag: tag)?.value }
    }

    /// PPSE, SELECT of the first candidate, GPO with identification terminal data, every AFL record.
    static func identify(_ card: EMVCard) throws -> Identification {
        var result = Identification()
        let ppse = card.respond(to: CommandAPDU.selectPPSE.serialized())
        try #require(ppse.suffix(2) == [0x90, 0x00])
        result.candidates = try EMVApplicationCandidate.candidates(fromPPSE: Array(ppse.dropLast(2)))
        let aid = try #require(result.candidates.first?.aid)

        let select = try CommandAPDU.select(aid: aid)
        let fciAnswer = card.respond(to: select.serialized())
        try #require(fciAnswer.suffix(2) == [0x90, 0x00])
        let fci = try EMVApplicationFCI(parsing: Array(fciAnswer.dropLast(2)))
        result.fci = fci

        let terminal = try EMVTerminalData(
            countryCode: 250, currencyCode: 978, year: 2026, month: 11, day: 22, unpredictableNumber: [1, 2, 3, 4])
        let gpoCommand = try CommandAPDU.getProcessingOptions(pdolData: terminal.processingOptionsData(for: fci.processingOptionsDOL))
        let gpoAnswer = card.respond(to: gpoCommand.serialized())
        try #require(gpoAnswer.suffix(2) == [0x90, 0x00], "GPO: \(hex(gpoAnswer))")
        let gpo = try GPOResponse(parsing: Array(gpoAnswer.dropLast(2)))
        result.gpo = gpo

        for read in gpo.applicationFileLocator.readRecordCommands {
            let answer = card.respond(to: read.serialized())
            try #require(answer.suffix(2) == [0x90, 0x00], "READ RECORD \(hex(read.serialized())): \(hex(answer))")
            result.records += try TLV.parseAll(Array(answer.dropLast(2)))
        }
        return result
    }

    @Test func visaIdentification() throws {
        let card = try EMVCard(profile: .testCard(.visa))
        let read = try Self.identify(card)
        #expect(read.candidates.map(\.aid) == [bytes("A0 00 00 00 03 10 10")])
        #expect(read.candidates.first?.label == "VISA CREDIT")
        #expect(read.candidates.first?.priority == 1)
        #expect(read.fci?.processingOptionsDOL?.totalLength == 33)
        #expect(read.gpo?.applicationInterchangeProfile == bytes("20 00"))
        #expect(read.gpo?.applicationFileLocator.entries.count == 2)
        #expect(read.value(0x5A) == bytes("47 61 73 90 01 01 00 10"))
        #expect(read.value(0x57) == bytes("47 61 73 90 01 01 00 10 D2 81 22 01 00 00 00 00 00 00 0F"))
        #expect(read.value(0x5F24) == bytes("28 12 31"))
        #expect(read.value(0x5F20) == Array("VISA ACQUIRER TEST/CARD 01".utf8))
        #expect(read.value(0x9F24) == Array("V0010013021123456789012345678".utf8))
        #expect(card.transactionCounter == 0x0042)
    }

    @Test func mastercardIdentificationHasNoPAR() throws {
        let card = try EMVCard(profile: .testCard(.mastercard))
        let read = try Self.identify(card)
        #expect(read.candidates.map(\.aid) == [bytes("A0 00 00 00 04 10 10")])
        #expect(read.gpo?.applicationInterchangeProfile == bytes("19 80"))
        #expect(read.value(0x5A) == bytes("54 13 33 00 89 01 04 34"))
        #expect(read.value(0x5F24) == bytes("27 06 30"))
        #expect(read.value(0x9F24) == nil)
    }

    @Test func oddLengthPANIsPaddedWithF() throws {
        var profile = PaymentCardProfile.testCard(.visa)
        profile.pan = try PrimaryAccountNumber("4111 1111 1111 1111 110")  // 19 digits
        profile.expiryYear = 28
        profile.expiryMonth = 2
        let read = try Self.identify(try EMVCard(profile: profile))
        #expect(read.value(0x5A) == bytes("41 11 11 11 11 11 11 11 11 0F"))
        #expect(read.value(0x5F24) == bytes("28 02 29"), "2028 is a leap year")
    }

    @Test(arguments: ["4761739001010011", "12345", "47617390010100AB", "", "41111111111111111111"])
    func invalidPANsAreRefused(_ pan: String) {
        #expect(throws: CardSimulatorError(.invalidArgument, "")) { try PrimaryAccountNumber(pan) }
    }

    @Test func luhnMessageNamesTheRightCheckDigit() {
        do {
            _ = try PrimaryAccountNumber("4761739001010011")
            Issue.record("accepted a bad check digit")
        } catch {
            #expect(error.message.contains("should be 0"))
        }
    }

    @Test func testCardsAreValid() throws {
        for scheme in PaymentCardProfile.Scheme.allCases {
            let profile = PaymentCardProfile.testCard(scheme)
            #expect(try PrimaryAccountNumber(profile.pan.digits) == profile.pan)
            _ = try PaymentCardProfile(
                scheme: scheme, pan: profile.pan, expiryYear: profile.expiryYear, expiryMonth: profile.expiryMonth,
                cardholderName: profile.cardholderName, paymentAccountReference: profile.paymentAccountReference,
                uid: profile.uid)
        }
    }

    @Test func badProfilesAreRefused() throws {
        let pan = try PrimaryAccountNumber("4761739001010010")
        #expect(throws: CardSimulatorError(.invalidArgument, "")) {
            try PaymentCardProfile(scheme: .visa, pan: pan, expiryYear: 28, expiryMonth: 13, cardholderName: "A", paymentAccountReference: nil, uid: [8, 1, 2, 3])
        }
        #expect(throws: CardSimulatorError(.invalidArgument, "")) {
            try PaymentCardProfile(scheme: .visa, pan: pan, expiryYear: 28, expiryMonth: 1, cardholderName: "A", paymentAccountReference: "SHORT", uid: [8, 1, 2, 3])
        }
        #expect(throws: CardSimulatorError(.invalidUID, "")) {
            var profile = PaymentCardProfile.testCard(.visa)
            profile.uid = [1, 2, 3]
            _ = try EMVCard(profile: profile)
        }
    }

    struct Fixture: CustomTestStringConvertible, Sendable {
        let name: String
        let setup: [String]
        let command: String
        let response: String
        var testDescription: String { name }
    }

    static let selectVisa = "00 A4 04 00 07 A0 00 00 00 03 10 10 00"
    static let gpo33 = "80 A8 00 00 23 83 21" + String(repeating: " 00", count: 33) + " 00"

    static let fixtures: [Fixture] = [
        Fixture(name: "UID from the reader", setup: [], command: "FF CA 00 00 00", response: "08 5E 91 3C 90 00"),
        Fixture(name: "contact PSE", setup: [], command: "00 A4 04 00 0E 31 50 41 59 2E 53 59 53 2E 44 44 46 30 31 00", response: "6A 82"),
        Fixture(name: "other AID", setup: [], command: "00 A4 04 00 07 A0 00 00 00 04 10 10 00", response: "6A 82"),
        Fixture(name: "Parcours app AID", setup: [], command: "00 A4 04 00 0A F0 50 41 52 43 4F 55 52 53 01 00", response: "6A 82"),
        Fixture(name: "next occurrence", setup: [], command: "00 A4 04 02 07 A0 00 00 00 03 10 10 00", response: "6A 82"),
        Fixture(name: "GPO before selection", setup: [], command: gpo33, response: "69 85"),
        Fixture(name: "GPO after PPSE only", setup: ["00 A4 04 00 0E 32 50 41 59 2E 53 59 53 2E 44 44 46 30 31 00"], command: gpo33, response: "69 85"),
        Fixture(name: "GPO without PDOL data", setup: [selectVisa], command: "80 A8 00 00 02 83 00 00", response: "67 00"),
        Fixture(name: "GPO with 32 bytes", setup: [selectVisa], command: "80 A8 00 00 22 83 20" + String(repeating: " 00", count: 32) + " 00", response: "67 00"),
        Fixture(name: "GPO with a wrong template", setup: [selectVisa], command: "80 A8 00 00 23 84 21" + String(repeating: " 00", count: 33) + " 00", response: "67 00"),
        Fixture(name: "READ RECORD before selection", setup: [], command: "00 B2 01 0C 00", response: "69 85"),
        Fixture(name: "READ RECORD outside the AFL", setup: [selectVisa], command: "00 B2 03 0C 00", response: "6A 83"),
        Fixture(name: "READ RECORD of SFI 3", setup: [selectVisa], command: "00 B2 01 1C 00", response: "6A 83"),
        Fixture(name: "READ RECORD with bad P2", setup: [selectVisa], command: "00 B2 01 0D 00", response: "6A 86"),
        Fixture(name: "GET DATA ATC", setup: [selectVisa], command: "80 CA 9F 36 00", response: "9F 36 02 00 41 90 00"),
        Fixture(name: "GET DATA other", setup: [selectVisa], command: "80 CA 9F 17 00", response: "6A 88"),
        Fixture(name: "GENERATE AC is not offered", setup: [selectVisa], command: "80 AE 80 00 00", response: "6D 00"),
        Fixture(name: "proprietary class", setup: [], command: "90 60 00 00 00", response: "6E 00"),
    ]

    @Test(arguments: fixtures)
    func answers(_ fixture: Fixture) throws {
        let card = try EMVCard(profile: .testCard(.visa))
        for setup in fixture.setup { _ = card.respond(to: bytes(setup)) }
        #expect(hex(card.respond(to: bytes(fixture.command))) == hex(bytes(fixture.response)))
    }

    @Test func partialAIDSelectsTheApplication() throws {
        let card = try EMVCard(profile: .testCard(.visa))
        #expect(card.respond(to: bytes("00 A4 04 00 05 A0 00 00 00 03 00")).suffix(2) == [0x90, 0x00])
        #expect(card.respond(to: bytes("00 A4 04 00 04 A0 00 00 00 00")) == bytes("6A 82"), "fewer than 5 bytes is no AID")
    }

    @Test func readRecordAfterReactivationNeedsANewSelect() throws {
        let card = try EMVCard(profile: .testCard(.visa))
        _ = card.respond(to: bytes(Self.selectVisa))
        #expect(card.respond(to: bytes("00 B2 01 0C 00")).suffix(2) == [0x90, 0x00])
        card.powerOn()
        #expect(card.respond(to: bytes("00 B2 01 0C 00")) == bytes("69 85"))
    }

    @Test func atrHasNoHistoricalBytes() throws {
        #expect(try EMVCard(profile: .testCard(.mastercard)).atr == bytes("3B 80 80 01 01"))
    }
}
