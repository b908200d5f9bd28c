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
