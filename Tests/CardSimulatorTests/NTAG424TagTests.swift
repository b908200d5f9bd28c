import CardProtocols
import CardSecurity
import CardSimulator
import Testing

/// The NTAG 424 DNA as a Type 4 tag serving SUN URLs, checked with the project's own verifier.
@Suite("NTAG 424 DNA with SUN")
struct NTAG424TagTests {
    static let selectApplication = bytes("00 A4 04 00 07 D2 76 00 00 85 01 01 00")
    static let selectCC = bytes("00 A4 00 0C 02 E1 03")
    static let selectNDEF = bytes("00 A4 00 0C 02 E1 04")

    static func zeroKeys() throws -> SUNKeys {
        try SUNKeys.fixed(metaReadKeyBytes: SUNKeys.factoryKeyBytes, fileReadKeyBytes: SUNKeys.factoryKeyBytes)
    }

    static func piccTemplate() throws -> SUNURLTemplate {
        try SUNURLTemplate("https://parcours.example/t?picc_data={picc}&cmac={mac}", macInputStart: .component(.mac))
    }

    /// Reads the NDEF file as an NFC Forum reader does, in chunks of `chunk` bytes; returns the URI.
    static func readURL(from tag: NTAG424Tag, chunk: Int = 59) throws -> String {
        #expect(tag.respond(to: selectApplication) == bytes("90 00"))
        #expect(tag.respond(to: selectCC) == bytes("90 00"))
        let ccAnswer = tag.respond(to: bytes("00 B0 00 00 0F"))
        #expect(ccAnswer.suffix(2) == [0x90, 0x00])
        let container = try Type4CapabilityContainer(parsing: Array(ccAnswer.dropLast(2)))
        #expect(container.ndefFile.fileID == 0xE104)
        #expect(tag.respond(to: selectNDEF) == bytes("90 00"))
        let nlenAnswer = tag.respond(to: bytes("00 B0 00 00 02"))
        #expect(nlenAnswer.suffix(2) == [0x90, 0x00])
        let length = Int(nlenAnswer[0]) << 8 | Int(nlenAnswer[1])
        var message: [UInt8] = []
        while message.count < length {
            let offset = 2 + message.count
            let count = min(chunk, length - message.count)
            let answer = tag.respond(to: [0x00, 0xB0, UInt8(offset >> 8), UInt8(offset & 0xFF), UInt8(count)])
            try #require(answer.suffix(2) == [0x90, 0x00], "read at \(offset): \(hex(answer))")
            message += answer.dropLast(2)
        }
        return try #require(try NDEFMessage(parsing: message).records.first?.uri)
    }

    @Test func servesAVerifiableURLAndCountsOncePerActivation() async throws {
        let keys = try Self.zeroKeys()
        let template = try Self.piccTemplate()
        let uid = try TagUID(hex: "04DE5F1EACC040")
        let tag = try NTAG424Tag(uid: uid, keys: keys, template: template, readCounter: 60)
        let verifier = try SUNVerifier(layout: template.layout, keys: keys, counterStore: InMemorySUNCounterStore())

        tag.powerOn()
        let first = try Self.readURL(from: tag)
        #expect(first.hasPrefix("https://parcours.example/t?picc_data="))
        #expect(tag.lastURL == first)
        let verification = try await verifier.verify(url: first)
        #expect(verification.uid == uid.bytes)
        #expect(verification.counter == 61)
        #expect(tag.readCounter == 61)

        // Same activation: the same URL, even read in other chunk sizes; no new count.
        #expect(try Self.readURL(from: tag, chunk: 16) == first)
        #expect(tag.readCounter == 61)

        tag.powerOn()
        let second = try Self.readURL(from: tag)
        #expect(second != first)
        #expect(try await verifier.verify(url: second).counter == 62)
        await #expect(throws: (any Error).self, "replaying the first URL is refused") { try await verifier.verify(url: first) }
    }

    @Test func plainMirrorsShowUIDAndCounter() throws {
        let template = try SUNURLTemplate("https://p.example/?u={uid}&c={ctr}&m={mac}", macInputStart: .component(.mac))
        let keys = try Self.zeroKeys()
        let tag = try NTAG424Tag(uid: .sample, keys: keys, template: template, readCounter: 0x0A)
        let url = try Self.readURL(from: tag)
        #expect(url.hasPrefix("https://p.example/?u=04A1B2C3D4E5F6&c=00000B&m="))
        let verifier = try SUNVerifier(layout: template.layout, keys: keys, counterStore: InMemorySUNCounterStore())
        #expect(try verifier.authenticate(url: url).counter == 0x0B)
    }

    @Test func encryptedFileDataWithDiversifiedKeys() throws {
        let template = try SUNURLTemplate(
            "https://parcours.example/t?picc_data={picc}&enc={file}&cmac={mac}", macInputStart: .component(.fileData),
            fileDataLength: 16)
        let keys = try SUNKeys.diversified(
            masterMetaKeyBytes: bytes("00112233445566778899AABBCCDDEEFF"), masterFileKeyBytes: bytes("0F0E0D0C0B0A09080706050403020100"),
            systemIdentifier: Array("parcours".utf8))
        let fileData = Array("loyalty:00000042".utf8)
        let tag = try NTAG424Tag(uid: .sample, keys: keys, template: template, fileData: fileData)
        let url = try Self.readURL(from: tag)
        let verifier = try SUNVerifier(layout: template.layout, keys: keys, counterStore: InMemorySUNCounterStore())
        let verification = try verifier.authenticate(url: url)
        #expect(verification.fileData == fileData)
        #expect(verification.counter == 1)

        let undiversified = try SUNKeys.fixed(
            metaReadKeyBytes: bytes("00112233445566778899AABBCCDDEEFF"), fileReadKeyBytes: bytes("0F0E0D0C0B0A09080706050403020100"))
        let wrongVerifier = try SUNVerifier(layout: template.layout, keys: undiversified, counterStore: InMemorySUNCounterStore())
        #expect(throws: (any Error).self, "the MAC needs the tag's diversified file key") { try wrongVerifier.authenticate(url: url) }
    }

    struct Fixture: CustomTestStringConvertible, Sendable {
        let name: String
        let setup: [String]
        let command: String
        let response: String
        var testDescription: String { name }
    }

    static let select = "00 A4 04 00 07 D2 76 00 00 85 01 01 00"

    static let fixtures: [Fixture] = [
        Fixture(name: "UID from the reader", setup: [], command: "FF CA 00 00 00", response: "04 A1 B2 C3 D4 E5 F6 90 00"),
        Fixture(name: "ATS from the reader", setup: [], command: "FF CA 01 00 00", response: "06 77 77 71 02 80 90 00"),
        Fixture(name: "reader memory-card read", setup: [], command: "FF B0 00 04 10", response: "6A 81"),
        Fixture(name: "other application", setup: [], command: "00 A4 04 00 07 A0 00 00 00 03 10 10 00", response: "6A 82"),
        Fixture(name: "file before application", setup: [], command: "00 A4 00 0C 02 E1 03", response: "6A 82"),
        Fixture(name: "read before any selection", setup: [], command: "00 B0 00 00 0F", response: "69 86"),
        Fixture(name: "unknown file", setup: [select], command: "00 A4 00 0C 02 E1 06", response: "6A 82"),
        Fixture(name: "file id of 3 bytes", setup: [select], command: "00 A4 00 0C 03 E1 03 00", response: "67 00"),
        Fixture(name: "select with P2 04", setup: [select], command: "00 A4 00 04 02 E1 03", response: "6A 86"),
        Fixture(
            name: "CC file", setup: [select, "00 A4 00 0C 02 E1 03"], command: "00 B0 00 00 0F",
            response: "00 0F 20 01 00 00 FF 04 06 E1 04 01 00 00 00 90 00"),
        Fixture(
            name: "CC file past its end", setup: [select, "00 A4 00 0C 02 E1 03"], command: "00 B0 00 1E 04",
            response: "00 00 62 82"),
        Fixture(name: "offset past the file", setup: [select, "00 A4 00 0C 02 E1 03"], command: "00 B0 00 21 01", response: "6B 00"),
        Fixture(name: "read by short file id", setup: [select], command: "00 B0 81 00 0F", response: "6A 81"),
        Fixture(name: "read without Le", setup: [select, "00 A4 00 0C 02 E1 03"], command: "00 B0 00 00", response: "67 00"),
        Fixture(name: "update refused", setup: [select, "00 A4 00 0C 02 E1 04"], command: "00 D6 00 00 02 00 00", response: "69 82"),
        Fixture(name: "native DESFire command", setup: [], command: "90 60 00 00 00", response: "6E 00"),
        Fixture(name: "unknown instruction", setup: [], command: "00 CA 00 00 00", response: "6D 00"),
        Fixture(name: "two bytes", setup: [], command: "00 A4", response: "67 00"),
    ]

    @Test(arguments: fixtures)
    func answers(_ fixture: Fixture) throws {
        let tag = try NTAG424Tag(keys: Self.zeroKeys(), template: Self.piccTemplate())
        for setup in fixture.setup { _ = tag.respond(to: bytes(setup)) }
        #expect(hex(tag.respond(to: bytes(fixture.command))) == hex(bytes(fixture.response)))
    }

    @Test func atrIsTheISO14443Part4ATRWithHistoricalByte80() throws {
        let tag = try NTAG424Tag(keys: Self.zeroKeys(), template: Self.piccTemplate())
        #expect(tag.atr == bytes("3B 81 80 01 80 80"))
    }

    @Test func counterStopsAtItsMaximum() throws {
        let tag = try NTAG424Tag(keys: Self.zeroKeys(), template: Self.piccTemplate(), readCounter: 0xFF_FFFE)
        _ = try Self.readURL(from: tag)
        #expect(tag.readCounter == 0xFF_FFFF)
        tag.powerOn()
        _ = try Self.readURL(from: tag)
        #expect(tag.readCounter == 0xFF_FFFF)
        #expect(throws: CardSimulatorError(.invalidArgument, "")) {
            try NTAG424Tag(keys: Self.zeroKeys(), template: Self.piccTemplate(), readCounter: 0xFF_FFFF)
        }
    }

    @Test func urlTooLongForTheNDEFFileIsRefused() throws {
        let long = "https://parcours.example/" + String(repeating: "x", count: 200) + "?e={picc}&m={mac}"
        let template = try SUNURLTemplate(long, macInputStart: .component(.mac))
        #expect(throws: CardSimulatorError(.ndefTooLarge, "")) { try NTAG424Tag(keys: Self.zeroKeys(), template: template) }
    }

    @Test func fileDataMustMatchTheTemplate() throws {
        let template = try SUNURLTemplate("https://p.example/?e={picc}&d={file}&m={mac}", macInputStart: .component(.fileData), fileDataLength: 16)
        #expect(throws: CardSimulatorError(.invalidArgument, "")) {
            try NTAG424Tag(keys: Self.zeroKeys(), template: template, fileData: Array("short".utf8))
        }
    }

    @Test func keysMustBeAES128() {
        #expect(throws: CardSimulatorError(.invalidArgument, "")) {
            try SUNKeys.fixed(metaReadKeyBytes: [1, 2, 3], fileReadKeyBytes: SUNKeys.factoryKeyBytes)
        }
    }
}
