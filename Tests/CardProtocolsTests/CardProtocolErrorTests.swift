import CardProtocols
import Testing

@Suite struct CardProtocolErrorTests {
    @Test func equalityLooksOnlyAtTheCode() {
        #expect(CardProtocolError.truncated("a") == CardProtocolError.truncated("b"))
        #expect(CardProtocolError.truncated("a") != CardProtocolError.malformed("a"))
        #expect(Set([CardProtocolError.truncated("x"), .truncated("y")]).count == 1)
    }

    @Test func descriptionCarriesCodeAndMessage() {
        let error = CardProtocolError.truncated("NDEF record header needs 3 bytes, got 1")
        #expect(error.description == "truncated: NDEF record header needs 3 bytes, got 1")
        #expect(error.code == .truncated)
    }
}
