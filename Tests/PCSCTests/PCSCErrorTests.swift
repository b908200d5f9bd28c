import Testing

@testable import PCSC

struct PCSCErrorTests {
    @Test("every code a client meets has its name and a meaning", arguments: [
        (0x8010_0069 as UInt32, "SCARD_W_REMOVED_CARD", "left the reader's field"),
        (0x8010_001D, "SCARD_E_NO_SERVICE", "pcscd is not running"),
        (0x8010_0002, "SCARD_E_CANCELLED", "cancelled"),
        (0x8010_000A, "SCARD_E_TIMEOUT", "timeout"),
        (0x8010_002E, "SCARD_E_NO_READERS_AVAILABLE", "no reader"),
        (0x8010_0016, "SCARD_E_NOT_TRANSACTED", "could not complete"),
        (0x8010_0068, "SCARD_W_RESET_CARD", "reset"),
    ])
    func describesCode(raw: UInt32, name: String, meaning: String) {
        let error = PCSCError(returnValue: Int(raw), operation: "SCardTransmit")
        #expect(error.code.name == name)
        #expect(error.description.hasPrefix("SCardTransmit: \(name) (0x\(String(raw, radix: 16, uppercase: true)))"))
        #expect(error.description.contains(meaning))
    }

    @Test func unknownCodeStillSaysWhatItIs() {
        let error = PCSCError(returnValue: 0x8010_00FE, operation: "SCardConnect")
        #expect(error.description.contains("0x801000FE"))
    }

    @Test func classifiesServiceLossAndCardLoss() {
        #expect(PCSCError(.noService).meansServiceLost)
        #expect(PCSCError(.invalidHandle).meansServiceLost)
        #expect(!PCSCError(.removedCard).meansServiceLost)
        #expect(PCSCError(.removedCard).meansCardGone)
        #expect(PCSCError(.notTransacted).meansCardGone)
        #expect(!PCSCError(.timeout).meansCardGone)
    }

    @Test func equalityIgnoresTheOperation() {
        #expect(PCSCError(.removedCard, operation: "SCardTransmit") == PCSCError(.removedCard))
    }

    @Test func splitsPCSCMultiStrings() {
        let chars: [CChar] = Array("Reader A\0Reader B\0\0".utf8CString.dropLast()).map { $0 }
        #expect(PCSCContext.splitMultiString(chars[...]) == ["Reader A", "Reader B"])
    }
}
