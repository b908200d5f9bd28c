import CardProtocols
import Synchronization

extension NTAG424Tag {
    public func respond(to command: [UInt8]) -> [UInt8] {
        guard let apdu = try? IncomingAPDU(parsing: command) else { return StatusWord.wrongLength }
        switch apdu.cla {
        case 0xFF: return identity.answerReaderCommand(apdu)
        case 0x00: break
        default: return StatusWord.classNotSupported
        }
        switch apdu.ins {
        case 0xA4: return select(apdu)
        case 0xB0: return readBinary(apdu)
        case 0xD6: return StatusWord.securityStatusNotSatisfied
        default: return StatusWord.instructionNotSupported
        }
    }

    private func select(_ apdu: IncomingAPDU) -> [UInt8] {
        guard apdu.p2 == 0x00 || apdu.p2 == 0x0C else { return StatusWord.incorrectP1P2 }
        return state.withLock { state in
            switch apdu.p1 {
            case 0x04:
                guard apdu.data == Type4Tag.ndefApplicationAID else {
                    return StatusWord.fileNotFound
                }
                state.isApplicationSelected = true
                state.selectedFile = nil
                return StatusWord.success
            case 0x00, 0x02:
                guard apdu.data.count == 2 else { return StatusWord.wrongLength }
                guard state.isApplicationSelected else { return StatusWord.fileNotFound }
                switch UInt16(apdu.data[0]) << 8 | UInt16(apdu.data[1]) {
                case 0xE103: state.selectedFile = .capabilityContainer
                case 0xE104: state.selectedFile = .ndef
                case 0xE105: state.selectedFile = .proprietary
                default: return StatusWord.fileNotFound
                }
                return StatusWord.success
            default:
                return StatusWord.incorrectP1P2
            }
        }
    }

    private func readBinary(_ apdu: IncomingAPDU) -> [UInt8] {
        guard apdu.data.isEmpty, let le = apdu.le else { return StatusWord.wrongLength }
        // P1 bit 8 set would name a file by short file identifier: not offered by this simulator.
        guard apdu.p1 & 0x80 == 0 else { return StatusWord.functionNotSupported }
        let offset = apdu.p1p2
        return state.withLock { state in
            let file: [UInt8]
            switch state.selectedFile {
            case nil:
                return StatusWord.commandNotAllowed
            case .capabilityContainer?:
                file = Self.capabilityContainerFile
            case .proprietary?:
                file = [UInt8](repeating: 0, count: Self.proprietaryFileSize)
            case .ndef?:
                file = ndefFileForThisActivation(&state)
            }
            guard offset <= file.count else { return StatusWord.wrongParameters }
            let available = file.count - offset
            let count = min(le, available)
            let bytes = Array(file[offset..<offset + count])
            return bytes + (count < le ? StatusWord.endOfDataBeforeLe : StatusWord.success)
        }
    }

    /// The first read of this activation counts the tap and renders the URL; later reads reuse it.
    private func ndefFileForThisActivation(_ state: inout State) -> [UInt8] {
        if let file = state.ndefFileThisActivation { return file }
        if state.readCounter < Self.maximumReadCounter { state.readCounter += 1 }
        // The configuration was rendered once at init; a failure here cannot come from the input bytes.
        let rendered = (try? Self.ndefFile(generator: generator, uid: uid, counter: state.readCounter, fileData: fileData)) ?? [0, 0]
        var file = rendered + [UInt8](repeating: 0, count: max(0, Self.ndefFileSize - rendered.count))
        file = Array(file.prefix(Self.ndefFileSize))
        state.ndefFileThisActivation = file
        state.lastURL = Self.url(inNDEFFile: file)
        return file
    }

    private static func url(inNDEFFile file: [UInt8]) -> String? {
        guard file.count >= 2 else { return nil }
        let length = Int(file[0]) << 8 | Int(file[1])
        guard length > 0, 2 + length <= file.count,
            let message = try? NDEFMessage(parsing: Array(file[2..<2 + length]))
        else { return nil }
        return message.records.first?.uri
    }
}
