import CardProtocols
import Testing

@Suite struct NDEFTests {
    // MARK: Parsing real messages

    @Test func uriRecordAsWrittenByNFCTools() throws {
        // "https://www.nxp.com": D1 (MB ME SR, TNF 1), type length 1, payload 8, "U", code 02.
        let bytes = hex("D1 01 08 55 02 6E 78 70 2E 63 6F 6D")
        let message = try NDEFMessage(parsing: bytes)
        #expect(message.records.count == 1)
        #expect(message.records[0].tnf == .wellKnown)
        #expect(message.records[0].uri == "https://www.nxp.com")
        #expect(try message.serialized() == bytes)
        #expect(NDEFRecord.uri("https://www.nxp.com") == message.records[0])
    }

    @Test func textRecord() throws {
        let bytes = hex("D1 01 0F 54 02 65 6E 48 65 6C 6C 6F 2C 20 77 6F 72 6C 64")
        let record = try #require(try NDEFMessage(parsing: bytes).records.first)
        let text = try #require(record.text)
        #expect(text.text == "Hello, world")
        #expect(text.languageCode == "en")
        #expect(try NDEFMessage(records: [.text("Hello, world", languageCode: "en")]).serialized() == bytes)
    }

    @Test func threeRecordsWithIDAndLongPayload() throws {
        let long = [UInt8](repeating: 0x42, count: 300)
        let message = NDEFMessage(records: [
            .uri("tel:+33123456789"),
            NDEFRecord(tnf: .media, type: Array("application/octet-stream".utf8), id: [0x01, 0x02], payload: long),
            .external(domain: "Parcours.example", type: "Member", payload: [0xCA, 0xFE]),
        ])
        let bytes = try message.serialized()
        // First record: MB + SR + TNF 1.
        #expect(bytes[0] == 0x91)
        // Second record header: no MB/ME, not short, IL, TNF 2 → 0x0A, then a 4-byte length 00 00 01 2C.
        let second = 4 + 13  // header, lengths and "U", then code 05 + "+33123456789"
        #expect(bytes[second] == 0x0A)
        #expect(Array(bytes[second + 2..<second + 6]) == [0x00, 0x00, 0x01, 0x2C])
        let parsed = try NDEFMessage(parsing: bytes)
        #expect(parsed == message)
        #expect(parsed.records[0].uri == "tel:+33123456789")
        #expect(parsed.records[0].payload.first == 0x05)
        #expect(parsed.records[1].id == [0x01, 0x02])
        #expect(parsed.records[1].mediaType == "application/octet-stream")
        #expect(parsed.records[2].externalType == "parcours.example:member")
        #expect(parsed.records[2].tnf == .external)
    }

    @Test func emptyMessage() throws {
        #expect(try NDEFMessage.empty.serialized() == hex("D0 00 00"))
        #expect(try NDEFMessage(parsing: hex("D0 00 00")) == .empty)
        #expect(throws: CardProtocolError.invalidValue) { try NDEFMessage(records: []).serialized() }
    }

    // MARK: URI prefixes

    @Test(arguments: [
        ("https://www.example.com/a", UInt8(0x02), "example.com/a"),
        ("http://www.example.com", 0x01, "example.com"),
        ("https://example.com", 0x04, "example.com"),
        ("http://x", 0x03, "x"),
        ("mailto:a@b.c", 0x06, "a@b.c"),
        ("ftp://anonymous:anonymous@host", 0x07, "host"),
        ("ftp://ftp.host", 0x08, "host"),
        ("ftp://host", 0x0D, "host"),
        ("urn:epc:id:sgtin:1", 0x1E, "sgtin:1"),
        ("urn:epc:other", 0x22, "other"),
        ("urn:nfc:sn:x", 0x23, "sn:x"),
        ("urn:isbn:1", 0x13, "isbn:1"),
        ("geo:1,2", 0x00, "geo:1,2"),
        ("HTTPS://CASE.example", 0x00, "HTTPS://CASE.example"),
        ("https://www.é.example", 0x02, "é.example"),
    ])
    func longestPrefixIsChosen(_ uri: String, _ code: UInt8, _ rest: String) {
        let record = NDEFRecord.uri(uri)
        #expect(record.payload.first == code)
        #expect(Array(record.payload.dropFirst()) == Array(rest.utf8))
        #expect(record.uri == uri)
    }

    @Test func uriDecodingRejectsReservedCodesAndBadUTF8() {
        #expect(NDEFRecord(tnf: .wellKnown, type: [0x55], payload: [0x24, 0x61]).uri == nil)
        #expect(NDEFRecord(tnf: .wellKnown, type: [0x55], payload: [0x04, 0xFF]).uri == nil)
        #expect(NDEFRecord(tnf: .wellKnown, type: [0x55], payload: []).uri == nil)
        #expect(NDEFRecord(tnf: .absoluteURI, type: Array("https://a.example".utf8)).uri == "https://a.example")
        #expect(NDEFRecord.mime("text/plain", [0x41]).uri == nil)
    }

    // MARK: Text encodings

    @Test func utf16TextRoundTripsBigEndian() throws {
        let record = try NDEFRecord.text("Grüße 🎉", languageCode: "de", encoding: .utf16)
        #expect(record.payload[0] == 0x82)
        #expect(Array(record.payload[3..<5]) == [0x00, 0x47])  // "G" big-endian, no BOM
        #expect(record.text?.text == "Grüße 🎉")
        #expect(record.text?.languageCode == "de")
    }

    @Test func utf16TextWithLittleEndianBOM() {
        // Status 0x82, "fr", BOM FF FE, then "Oui" little-endian.
        let record = NDEFRecord(tnf: .wellKnown, type: [0x54], payload: hex("82 66 72 FF FE 4F 00 75 00 69 00"))
        #expect(record.text?.text == "Oui")
        #expect(record.text?.languageCode == "fr")
    }

    @Test func undecodableTextGivesNil() {
        // Odd UTF-16 length, language code longer than the payload, RFU bit 6, a lone surrogate.
        #expect(NDEFRecord(tnf: .wellKnown, type: [0x54], payload: hex("80 41")).text == nil)
        #expect(NDEFRecord(tnf: .wellKnown, type: [0x54], payload: hex("05 65 6E")).text == nil)
        #expect(NDEFRecord(tnf: .wellKnown, type: [0x54], payload: hex("42 65 6E 41")).text == nil)
        #expect(NDEFRecord(tnf: .wellKnown, type: [0x54], payload: hex("80 D8 00")).text == nil)
        #expect(throws: CardProtocolError.invalidValue) {
            try NDEFRecord.text("x", languageCode: String(repeating: "a", count: 64))
        }
    }

    // MARK: Malformed messages

    @Test(arguments: [
        ("", CardProtocolError.truncated, "empty input"),
        ("D1", .truncated, "header only"),
        ("D1 01 08 55 02 6E", .truncated, "payload cut short"),
        ("C1 01 00 00 01 2C 55", .truncated, "long payload length beyond the bytes"),
        ("C1 01 FF FF FF FF 55", .truncated, "4 GB payload length"),
        ("D9 01 00 05 55", .truncated, "ID length beyond the bytes"),
        ("51 01 01 55 00", .malformed, "first record without MB"),
        ("91 01 01 55 00", .truncated, "no record flagged ME"),
        ("91 01 01 55 00 D1 01 01 55 00", .malformed, "MB on the second record"),
        ("B1 01 01 55 00", .unsupported, "chunked first record"),
        ("D6 00 00", .unsupported, "TNF unchanged"),
        ("D1 01 01 55 00 00", .lengthMismatch, "trailing byte after ME"),
        ("D0 00 01 00", .invalidValue, "empty TNF with a payload"),
        ("D5 01 00 55", .invalidValue, "unknown TNF with a type"),
        ("D1 00 00", .invalidValue, "well-known TNF without a type"),
    ])
    func malformedMessages(_ bytes: String, _ expected: CardProtocolError, _ reason: String) {
        #expect(throws: expected, "\(reason)") { try NDEFMessage(parsing: hex(bytes)) }
    }

    @Test func chunkedRecordErrorSaysWhy() {
        do {
            _ = try NDEFMessage(parsing: hex("B1 01 01 55 00"))
            Issue.record("chunked record was accepted")
        } catch {
            #expect(error.message.contains("chunked"))
        }
    }

    @Test func serializingOversizedTypeFails() {
        let record = NDEFRecord(tnf: .media, type: [UInt8](repeating: 0x61, count: 256))
        #expect(throws: CardProtocolError.limitExceeded) { try NDEFMessage(records: [record]).serialized() }
    }
}
