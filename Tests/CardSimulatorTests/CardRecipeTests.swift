import CardProtocols
import CardSecurity
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
            #expect(error.message.contains("ntag213, ntag215, ntag216, ntag424, app, visa, mastercard, hostile"))
        }
    }

    @Test func everyKindHasASummary() {
        for kind in SimulatedCardKind.allCases {
            #expect(!kind.summary.isEmpty)
        }
    }

    @Test func blankTagWithUID() throws {
        let uid = try TagUID(hex: "04DE5F1EACC040")
        var recipe = CardRecipe(kind: .ntag216, uid: uid.bytes)
        recipe.type2.blank = true
        let card = try recipe.makeCard()
        let tag = try #require(card as? NTAGTag)
        #expect(tag.model == .ntag216)
        #expect(tag.uid == uid)
        #expect(tag.userMemory.prefix(3) == [0x03, 0x00, 0xFE])
    }

    @Test func lockedTagIsReadOnly() throws {
        var recipe = CardRecipe(kind: .ntag213)
        recipe.type2.locked = true
        let card = try recipe.makeCard()
        #expect(card.respond(to: bytes("FF D6 00 04 04 01 02 03 04")) == bytes("63 00"))
        #expect(card.respond(to: bytes("FF B0 00 03 04")) == bytes("E1 10 12 0F 90 00"))
    }
}

@Suite("NTAG tags written with NDEF")
struct NTAGNDEFTests {
    @Test func uriMessageOnAnNTAG215() throws {
        var recipe = CardRecipe(kind: .ntag215)
        recipe.type2.ndefURI = "https://example.com/x"
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
        var recipe = CardRecipe(kind: .ntag216)
        recipe.type2.ndefURI = "https://parcours.example/c/42"
        recipe.type2.ndefText = "bonjour"
        let tag = try #require(try recipe.makeCard() as? NTAGTag)
        let records = try #require(try tag.ndefMessage()?.records)
        #expect(records.count == 2)
        #expect(records[0].uri == "https://parcours.example/c/42")
        #expect(records[1].text?.text == "bonjour")
    }

    @Test func lockedTagWithMessage() throws {
        var recipe = CardRecipe(kind: .ntag213)
        recipe.type2.ndefURI = "https://example.com"
        recipe.type2.locked = true
        let tag = try #require(try recipe.makeCard() as? NTAGTag)
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
        var recipe = CardRecipe(kind: .ntag213)
        recipe.type2.ndefURI = "https://example.com/" + String(repeating: "x", count: 300)
        do {
            _ = try recipe.makeCard()
            Issue.record("a 300-byte URI cannot fit an NTAG213")
        } catch {
            #expect(error.code == .ndefTooLarge)
            #expect(error.message.contains("NTAG213 has room for 139"))
        }
    }

    @Test func blankAndMessageContradict() {
        var recipe = CardRecipe(kind: .ntag215)
        recipe.type2.ndefURI = "https://example.com"
        recipe.type2.blank = true
        #expect(throws: CardSimulatorError(.invalidArgument, "")) { try recipe.makeCard() }
    }

    @Test func blankTagHasNoMessage() throws {
        let tag = try NTAGTag(model: .ntag215)
        #expect(try tag.ndefMessage() == nil)
    }
}

@Suite("Recipes for every kind")
struct CardRecipeKindTests {
    @Test(arguments: SimulatedCardKind.allCases)
    func everyKindBuildsWithDefaults(_ kind: SimulatedCardKind) throws {
        let card = try CardRecipe(kind: kind).makeCard()
        #expect(card.atr.first == 0x3B)
        #expect(card.respond(to: bytes("FF CA 00 00 00")).suffix(2) == [0x90, 0x00], "the reader always knows the UID")
    }

    @Test func tooSmallTagDeclaresASmallDataArea() throws {
        var recipe = CardRecipe(kind: .ntag215)
        recipe.type2.dataAreaSize = 48
        let tag = try #require(try recipe.makeCard() as? NTAGTag)
        #expect(tag.page(3) == bytes("E1 10 06 00"))
        recipe.type2.ndefURI = "https://parcours.example/c/" + String(repeating: "0", count: 40)
        #expect(throws: CardSimulatorError(.ndefTooLarge, "")) { try recipe.makeCard() }
        recipe.type2.dataAreaSize = 50
        #expect(throws: CardSimulatorError(.invalidArgument, "")) { try recipe.makeCard() }
    }

    @Test func ntag424WithDiversifiedKeysAndCounter() throws {
        var recipe = CardRecipe(kind: .ntag424, uid: bytes("04DE5F1EACC040"))
        recipe.sun.systemIdentifier = Array("parcours".utf8)
        recipe.sun.readCounter = 99
        let tag = try #require(try recipe.makeCard() as? NTAG424Tag)
        #expect(tag.readCounter == 99)
        #expect(tag.uid.bytes == bytes("04DE5F1EACC040"))
    }

    @Test func ntag424FileDataSelectsTheMACStart() throws {
        var recipe = CardRecipe(kind: .ntag424)
        recipe.sun.template = "https://p.example/?e={picc}&d={file}&m={mac}"
        recipe.sun.fileData = "0123456789ABCDEF"
        let tag = try #require(try recipe.makeCard() as? NTAG424Tag)
        #expect(tag.generator.template.macInputStart == .component(.fileData))
    }

    @Test func paymentOptionsOverrideTheTestCard() throws {
        var recipe = CardRecipe(kind: .visa, uid: bytes("08 11 22 33"))
        recipe.payment.pan = "4111111111111111"
        recipe.payment.expiry = "3001"
        recipe.payment.cardholderName = "DOE/JANE"
        recipe.payment.omitPaymentAccountReference = true
        let card = try #require(try recipe.makeCard() as? EMVCard)
        #expect(card.profile.pan.digits == "4111111111111111")
        #expect(card.profile.expiryYear == 30 && card.profile.expiryMonth == 1)
        #expect(card.profile.paymentAccountReference == nil)
        #expect(card.identity.uid == bytes("08 11 22 33"))
        recipe.payment.expiry = "30-1"
        #expect(throws: CardSimulatorError(.invalidArgument, "")) { try recipe.makeCard() }
    }

    @Test func appWithRawKeyAndState() throws {
        var recipe = CardRecipe(kind: .app)
        recipe.app.deviceID = bytes("00112233445566778899AABBCCDDEEFF")
        recipe.app.privateKey = [UInt8](repeating: 0x11, count: 32)
        recipe.app.state = .locked
        let phone = try #require(try recipe.makeCard() as? CompanionAppCard)
        #expect(phone.deviceID.bytes == bytes("00112233445566778899AABBCCDDEEFF"))
        #expect(phone.appState == .locked)
        recipe.app.privateKey = [1, 2, 3]
        #expect(throws: CardSimulatorError(.invalidArgument, "")) { try recipe.makeCard() }
    }

    @Test func hostileMode() throws {
        var recipe = CardRecipe(kind: .hostile)
        recipe.hostile.mode = .truncated
        #expect(try recipe.makeCard().respond(to: bytes("00 A4 04 00 00")) == [0x90])
    }
}
