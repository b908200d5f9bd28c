import CardProtocols
import Synchronization

extension EMVCard {
    public func respond(to command: [UInt8]) -> [UInt8] {
        guard let apdu = try? IncomingAPDU(parsing: command) else { return StatusWord.wrongLength }
        switch (apdu.cla, apdu.ins) {
        case (0xFF, _): return identity.answerReaderCommand(apdu)
        case (0x00, 0xA4): return select(apdu)
        case (0x80, 0xA8): return getProcessingOptions(apdu)
        case (0x00, 0xB2): return readRecord(apdu)
        case (0x80, 0xCA): return getData(apdu)
        case (0x00, _), (0x80, _): return StatusWord.instructionNotSupported
        default: return StatusWord.classNotSupported
        }
    }

    private func select(_ apdu: IncomingAPDU) -> [UInt8] {
        guard apdu.p1 == 0x04 else { return StatusWord.incorrectP1P2 }
        // P2 02 asks for the next application with the same name prefix: this card has only one.
        guard apdu.p2 == 0x00 else { return apdu.p2 == 0x02 ? StatusWord.fileNotFound : StatusWord.incorrectP1P2 }
        let name = apdu.data
        return state.withLock { state in
            if name == CommandAPDU.ppseName {
                state.selection = .paymentDirectory
                return paymentDirectoryFCI + StatusWord.success
            }
            if name.count >= 5, profile.aid.starts(with: name) {
                state.selection = .application
                return applicationFCI + StatusWord.success
            }
            state.selection = nil
            return StatusWord.fileNotFound
        }
    }

    private func getProcessingOptions(_ apdu: IncomingAPDU) -> [UInt8] {
        guard apdu.p1 == 0x00, apdu.p2 == 0x00 else { return StatusWord.incorrectP1P2 }
        let expected = Self.processingOptionsDOL.totalLength
        guard apdu.data.count == 2 + expected, apdu.data[0] == 0x83, Int(apdu.data[1]) == expected else {
            return StatusWord.wrongLength
        }
        return state.withLock { state in
            guard state.selection == .application else { return StatusWord.conditionsNotSatisfied }
            if state.transactionCounter < UInt16.max { state.transactionCounter += 1 }
            let counter = state.transactionCounter
            let answer = TLV(tag: 0x77, children: [
                TLV(tag: 0x82, value: profile.applicationInterchangeProfile),
                TLV(tag: 0x94, value: Self.applicationFileLocator),
                TLV(tag: 0x9F36, value: [UInt8(counter >> 8), UInt8(counter & 0xFF)]),
            ])
            return answer.serialized() + StatusWord.success
        }
    }

    private func readRecord(_ apdu: IncomingAPDU) -> [UInt8] {
        // P2: SFI in the upper 5 bits, 100 in the lower 3 ("P1 is a record number").
        guard apdu.p2 & 0x07 == 0x04 else { return StatusWord.incorrectP1P2 }
        let sfi = apdu.p2 >> 3
        let selected = state.withLock { $0.selection == .application }
        guard selected else { return StatusWord.conditionsNotSatisfied }
        let listed = Self.recordsInFiles.contains { $0.sfi == sfi && $0.records.contains(apdu.p1) }
        guard listed, let record = record(sfi: sfi, number: apdu.p1) else { return StatusWord.recordNotFound }
        return record + StatusWord.success
    }

    private func getData(_ apdu: IncomingAPDU) -> [UInt8] {
        guard apdu.p1 == 0x9F, apdu.p2 == 0x36 else { return StatusWord.referencedDataNotFound }
        let counter = transactionCounter
        return TLV(tag: 0x9F36, value: [UInt8(counter >> 8), UInt8(counter & 0xFF)]).serialized() + StatusWord.success
    }
}
