import CardProtocols
import Testing

@Suite struct TLVTests {
    @Test func parsesNestedPPSE() throws {
        let bytes = hex(EMVFixtures.ppseFCI)
        let objects = try TLV.parseAll(bytes)
        #expect(objects.count == 1)
        let fci = try #require(objects.first)
        #expect(fci.tag == 0x6F)
        #expect(fci.children.map(\.tag) == [0x84, 0xA5])
        #expect(objects.first(tag: 0x84)?.value == Array("2PAY.SYS.DDF01".utf8))
        let directory = try #require(fci.first(tag: 0xBF0C))
        #expect(directory.children.count == 2)
        #expect(directory.children.map { $0.first(tag: 0x4F)?.value } == [hex("A0000000041010"), hex("A0000000031010")])
        #expect(fci.serialized() == bytes)
        #expect(try TLV(parsing: bytes) == fci)
    }

    @Test func tagProperties() {
        let pdol: TLVTag = 0x9F38
        #expect(pdol.bytes == [0x9F, 0x38])
        #expect(pdol.tagClass == .contextSpecific)
        #expect(!pdol.isConstructed)
        #expect(TLVTag(0x6F).tagClass == .application)
        #expect(TLVTag(0x6F).isConstructed)
        #expect(TLVTag(0xBF0C).isConstructed)
        #expect(TLVTag(0xBF0C).tagClass == .contextSpecific)
        #expect(TLVTag(0x5F2A).tagClass == .application)
        #expect(TLVTag(0xDF8101).bytes == [0xDF, 0x81, 0x01])
        #expect(TLVTag(0x02).tagClass == .universal)
        #expect(TLVTag(0xC0).tagClass == .private)
        #expect(pdol.description == "9F38")
    }

    @Test func threeByteTag() throws {
        let tlv = try TLV(parsing: hex("DF 81 01 02 AA BB"))
        #expect(tlv.tag == 0xDF8101)
        #expect(tlv.value == hex("AABB"))
    }

    @Test(arguments: [
        ("50 81 03 41 42 43", 3),
        ("50 82 00 03 41 42 43", 3),
        ("50 83 00 00 03 41 42 43", 3),
        ("50 84 00 00 00 03 41 42 43", 3),
    ])
    func longLengthForms(_ bytes: String, _ length: Int) throws {
        let tlv = try TLV(parsing: hex(bytes))
        #expect(tlv.value.count == length)
        #expect(tlv.serialized() == hex("50 03 41 42 43"))  // re-encoded minimally
    }

    @Test func minimalLengthEncoding() {
        #expect(TLV(tag: 0x50, value: [UInt8](repeating: 1, count: 127)).serialized().prefix(2) == [0x50, 0x7F])
        #expect(TLV(tag: 0x50, value: [UInt8](repeating: 1, count: 128)).serialized().prefix(3) == [0x50, 0x81, 0x80])
        #expect(TLV(tag: 0x50, value: [UInt8](repeating: 1, count: 256)).serialized().prefix(4) == [0x50, 0x82, 0x01, 0x00])
        #expect(TLV(tag: 0x50, value: [UInt8](repeating: 1, count: 65_536)).serialized().prefix(5) == [0x50, 0x83, 0x01, 0x00, 0x00])
    }

    @Test func paddingBetweenObjectsIsSkipped() throws {
        let objects = try TLV.parseAll(hex("00 00 5A 02 12 34 FF FF 00 9F 36 02 00 01 00"))
        #expect(objects.map(\.tag) == [0x5A, 0x9F36])
        #expect(objects[1].value == hex("0001"))
    }

    @Test func buildingConstructedTLVs() throws {
        let entry = TLV(tag: 0x61, children: [TLV(tag: 0x4F, value: hex("A0000000031010")), TLV(tag: 0x87, value: [1])])
        #expect(entry.value == hex("4F 07 A0 00 00 00 03 10 10 87 01 01"))
        #expect(entry.serialized() == hex("61 0C 4F 07 A0 00 00 00 03 10 10 87 01 01"))
        let reparsed = try TLV(parsing: entry.serialized())
        #expect(reparsed == entry)
        #expect(reparsed.children == entry.children)
        #expect(entry.first(tag: 0x87)?.value == [1])
        #expect(entry.first(tag: 0x50) == nil)
    }

    @Test func depthIsBounded() throws {
        var nested = TLV(tag: 0x50, value: [1])
        for _ in 0..<20 { nested = TLV(tag: 0xA5, children: [nested]) }
        let bytes = nested.serialized()
        #expect(throws: CardProtocolError.limitExceeded) { try TLV.parseAll(bytes) }
        #expect(try TLV.parseAll(bytes, maximumDepth: 21).first(tag: 0x50)?.value == [1])
    }

    @Test(arguments: [
        ("9F", CardProtocolError.truncated, "tag cut after its first byte"),
        ("9F 38", .truncated, "no length"),
        ("50 05 41 42", .truncated, "value cut short"),
        ("50 82 01", .truncated, "long length cut short"),
        ("50 84 FF FF FF FF 00", .truncated, "4 GB length"),
        ("6F 80 50 01 41 00 00", .unsupported, "indefinite length"),
        ("50 85 00 00 00 00 01 41", .invalidValue, "5 length bytes"),
        ("9F FF FF FF 01 01 00", .limitExceeded, "5-byte tag"),
        ("A5 03 50 05 41 42 43 44 45", .truncated, "child longer than its parent"),
    ])
    func malformedTLVs(_ bytes: String, _ expected: CardProtocolError, _ reason: String) {
        #expect(throws: expected, "\(reason)") { try TLV.parseAll(hex(bytes)) }
    }

    @Test func singleTLVRejectsTrailingBytes() {
        #expect(throws: CardProtocolError.lengthMismatch) { try TLV(parsing: hex("50 01 41 00")) }
    }
}

@Suite struct DataObjectListTests {
    @Test func parsesVisaPDOL() throws {
        let dol = try DataObjectList(parsing: hex(EMVFixtures.visaPDOL))
        #expect(dol.entries.map(\.tag) == [0x9F66, 0x9F02, 0x9F03, 0x9F1A, 0x95, 0x5F2A, 0x9A, 0x9C, 0x9F37])
        #expect(dol.entries.map(\.length) == [4, 6, 6, 2, 5, 2, 3, 1, 4])
        #expect(dol.totalLength == 33)
        #expect(dol.serialized() == hex(EMVFixtures.visaPDOL))
    }

    @Test func buildFillsEachEntryToItsLength() throws {
        let dol = try DataObjectList(parsing: hex("9F 66 04 9F 02 06 9F 1A 02 9F 4E 04 9F 37 04 5F 2A 02"))
        let data = dol.build(values: [
            0x9F66: hex("36 00 40 00"),
            0x9F02: hex("01 00"),  // numeric, short: left-padded
            0x9F1A: hex("00 02 50"),  // numeric, long: rightmost bytes kept
            0x9F4E: hex("41 42"),  // binary/text, short: right-padded
            0x9F37: hex("DE AD BE EF 99"),  // binary, long: leftmost bytes kept
            // 5F2A missing: zeros
        ])
        #expect(data == hex("36 00 40 00 00 00 00 00 01 00 02 50 41 42 00 00 DE AD BE EF 00 00"))
        #expect(data.count == dol.totalLength)
    }

    @Test func emptyAndMalformedDOLs() throws {
        #expect(try DataObjectList(parsing: []).entries.isEmpty)
        #expect(try DataObjectList(parsing: []).build(values: [:]).isEmpty)
        #expect(throws: CardProtocolError.truncated) { try DataObjectList(parsing: hex("9F 66")) }
        #expect(throws: CardProtocolError.truncated) { try DataObjectList(parsing: hex("9F")) }
        #expect(throws: CardProtocolError.limitExceeded) { try DataObjectList(parsing: hex("9F 66 82 10 00")) }
        #expect(throws: CardProtocolError.unsupported) { try DataObjectList(parsing: hex("9F 66 80")) }
    }
}
