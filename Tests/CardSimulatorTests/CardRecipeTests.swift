import CardProtocols
import CardSimulator
import Testing

@Suite("Card recipes, as the command line builds cards")
struct CardRecipeTests {
    @Test func kindNamesAreCaseInsensitive() throws {
        #expect(try SimulatedCardKind(name: "NTAG215") == .ntag215)
        #expect(throws: CardSimulatorError(.unknownCardKind, "")) { try SimulatedCardKind(name: "ntag214") }
        do {
            _ = try SimulatedCardKind(name: "ntag214")
        } catch {
            #expect(error.message.contains("ntag213, ntag215, ntag216"))
        }
    }

    @Test func everyKindHasASummary() {
        for kind in SimulatedCardKind.allCases {
            #expect(!kind.summary.isEmpty)
        }
    }

    @Test func blankTagWithUID() throws {
        let uid = try TagUID(hex: "04DE5F1EACC040")
        let card = try CardRecipe(kind: .ntag216, uid: uid, blank: true).makeCard()
        let tag = try #require(card as? NTAGTag)
        #expect(tag.model == .ntag216)
        #expect(tag.uid == uid)
        #expect(tag.userMemory.prefix(3) == [0x03, 0x00, 0xFE])
    }

    @Test func lockedTagIsReadOnly() throws {
        let card = try CardRecipe(kind: .ntag213, locked: true).makeCard()
        #expect(card.respond(to: bytes("FF D6 00 04 04 01 02 03 04")) == bytes("63 00"))
        #expect(card.respond(to: bytes("FF B0 00 03 04")) == bytes("E1 10 12 0F 90 00"))
    }
}

@Suite("NTAG tags written with NDEF")
struct NTAGNDEFTests {
    @Test func uriMessageOnAnNTAG215() throws {
        let recipe = CardRecipe(kind: .ntag215, ndefURI: "https://example.com/x")
        let tag = try #require(try recipe.makeCard() as? NTAGTag)
        // D1 01 0E 55 04 "example.com/x": https:// is URI prefix code 04.
        let expected = bytes("03 12 D1 01 0E 55 04") + Array("example.com/x".utf8) + [0xFE]
        #expect(Array(tag.userMemory.prefix(expected.count)) == expected)
        #expect(try tag.ndefMessage()?.records.first?.uri == "https://example.com/x")
        #expect(tag.respond(to: bytes("FF B0 00 04 04")) == bytes("03 12 D1 01 90 00"))
    }

    @Test func ntag213KeepsItsLockControlTLV() throws {
        let tag = try NTAGTag(model: .ntag213, ndef: NDEFMessage(records: [.uri("https://example.com/x")]))
        #expect(tag.userMemory.prefix(7) == bytes("01 03 A0 0C 34 03 12")[...])
        #expect(try tag.ndefMessage()?.records.first?.uri == "https://example.com/x")
    }

    @Test func uriAndTextRecords() throws {
        let recipe = CardRecipe(kind: .ntag216, ndefURI: "https://parcours.example/c/42", ndefText: "bonjour")
        let tag = try #require(try recipe.makeCard() as? NTAGTag)
        let records = try #require(try tag.ndefMessage()?.records)
        #expect(records.count == 2)
        #expect(records[0].uri == "https://parcours.example/c/42")
        #expect(records[1].text?.text == "bonjour")
    }

    @Test func lockedTagWithMessage() throws {
        let tag = try #require(try CardRecipe(kind: .ntag213, ndefURI: "https://example.com", locked: true).makeCard() as? NTAGTag)
        #expect(tag.page(3) == bytes("E1 10 12 0F"))
        #expect(tag.respond(to: bytes("FF D6 00 05 04 00 00 00 00")) == bytes("63 00"))
        #expect(try tag.ndefMessage()?.records.first?.uri == "https://example.com")
    }

    /// NTAG213: 144 bytes less the 5-byte Lock Control TLV leave 139; a message of 137 bytes fills
    /// them exactly with its 2-byte TLV header (no room for the terminator), one more does not fit.
    @Test func messageSizeLimitOnNTAG213() throws {
        // A URI record with a 1-byte prefix code: header 4 bytes + payload (1 + n).
        let fits = "https://" + String(repeating: "a", count: 137 - 5)
        let tag = try NTAGTag(model: .ntag213, ndef: NDEFMessage(records: [.uri(fits)]))
        #expect(try tag.ndefMessage()?.records.first?.uri == fits)
        #expect(tag.userMemory.last != 0xFE, "a TLV that fills the data area has no terminator")
        #expect(throws: CardSimulatorError(.ndefTooLarge, "")) {
            try NTAGTag(model: .ntag213, ndef: NDEFMessage(records: [.uri(fits + "a")]))
        }
    }

    @Test func tooBigMessageSaysBySoMuch() {
        let recipe = CardRecipe(kind: .ntag213, ndefURI: "https://example.com/" + String(repeating: "x", count: 300))
        do {
            _ = try recipe.makeCard()
            Issue.record("a 300-byte URI cannot fit an NTAG213")
        } catch {
            #expect(error.code == .ndefTooLarge)
            #expect(error.message.contains("NTAG213 has room for 139"))
        }
    }

    @Test func blankAndMessageContradict() {
        #expect(throws: CardSimulatorError(.invalidArgument, "")) {
            try CardRecipe(kind: .ntag215, ndefURI: "https://example.com", blank: true).makeCard()
        }
    }

    @Test func blankTagHasNoMessage() throws {
        let tag = try NTAGTag(model: .ntag215)
        #expect(try tag.ndefMessage() == nil)
    }
}
