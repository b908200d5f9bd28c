import CardProtocols
import Testing

@Suite struct StatusWordTests {
    @Test(arguments: [
        (UInt16(0x9000), "9000: success"),
        (0x6A82, "6A82: file or application not found"),
        (0x6C10, "6C10: wrong Le, card wants 16"),
        (0x6C00, "6C00: wrong Le, card wants 256"),
        (0x6120, "6120: 32 more bytes available (GET RESPONSE)"),
        (0x6982, "6982: security status not satisfied"),
        (0x6A81, "6A81: function not supported"),
        (0x6B00, "6B00: wrong parameters P1-P2"),
        (0x6700, "6700: wrong length"),
        (0x6D00, "6D00: INS not supported"),
        (0x6E00, "6E00: CLA not supported"),
        (0x6300, "6300: warning, verification failed"),
        (0x63C2, "63C2: warning, verification failed, 2 retries remaining"),
        (0x6581, "6581: memory failure"),
        (0x6A86, "6A86: incorrect parameters P1-P2"),
        (0x6A88, "6A88: referenced data or reference data not found"),
        (0x1234, "1234: unknown status"),
    ])
    func descriptions(_ raw: UInt16, _ text: String) {
        #expect(StatusWord(rawValue: raw).description == text)
    }

    @Test func fields() {
        let status = StatusWord(sw1: 0x61, sw2: 0x00)
        #expect(status.rawValue == 0x6100)
        #expect(status.bytesAvailable == 256)
        #expect(status.correctExpectedLength == nil)
        #expect(!status.isSuccess)
        #expect(StatusWord.success.isSuccess)
        #expect(!StatusWord(rawValue: 0x9100).isSuccess)
        #expect(StatusWord(rawValue: 0x63C5).retriesRemaining == 5)
        #expect(StatusWord.fileNotFound.sw1 == 0x6A && StatusWord.fileNotFound.sw2 == 0x82)
    }

    @Test func responseAPDU() throws {
        let response = try ResponseAPDU(parsing: hex("04 A2 24 C2 9000"))
        #expect(response.data == hex("04A224C2"))
        #expect(response.status == .success)
        #expect(response.serialized() == hex("04 A2 24 C2 9000"))
        #expect(try ResponseAPDU(parsing: hex("6A82")).data.isEmpty)
        #expect(throws: CardProtocolError.truncated) { try ResponseAPDU(parsing: hex("90")) }
        #expect(throws: CardProtocolError.unexpectedStatus) {
            try ResponseAPDU(data: [], status: .fileNotFound).successData(of: "SELECT")
        }
        do {
            _ = try ResponseAPDU(data: [], status: .fileNotFound).successData(of: "SELECT NDEF application")
        } catch {
            #expect(error.message == "SELECT NDEF application answered 6A82: file or application not found")
        }
    }
}
