import Synchronization

/// The reader firmware's side of a Type 2 tag: a PC/SC reader cannot send ISO 7816 APDUs to a
/// memory card, so it answers class `FF` pseudo-APDUs itself by talking to the tag. The answers
/// follow ACS readers (ACR122U, ACR1252U):
///
/// | command | answer |
/// |---|---|
/// | `FF CA 00 00 00` | 7-byte UID `90 00`; Le shorter than 7 → `6C 07`; longer (not `00`) → UID `62 82` |
/// | `FF CA 01 00 00` | `6A 81` (a Type 2 tag has no ATS) |
/// | `FF B0 00 pp Le` | Le bytes (1–16; `00` means 16) from page pp, rolling over to page 0 past the last page |
/// | `FF D6 00 pp 04 dddddddd` | writes page pp → `90 00` |
/// | `FF 00 00 00 Lc D4 42 …` | ACR122U direct transmit of a tag command (PN532 InCommunicateThru) |
/// | `FF 00 40 …`, `FF 00 52 …` | ACR122U LED/buzzer control, acknowledged |
///
/// Failures: a page beyond the tag, a locked or read-only page, or a password-protected page give
/// `63 00`, the one error status ACS readers return for memory-card operations (a PC/SC part 3
/// reference reader would say `6A 82` for an address beyond the card). A malformed APDU or a wrong
/// Lc/Le gives `67 00`, an unknown P1/P2 `6B 00`, an unknown instruction `6D 00`, and any class but
/// `FF` `6E 00`, since a part 3 tag cannot receive ISO 7816 commands.
extension NTAGTag {
    public func respond(to command: [UInt8]) -> [UInt8] {
        guard let apdu = try? IncomingAPDU(parsing: command) else { return StatusWord.wrongLength }
        guard apdu.cla == 0xFF else { return StatusWord.classNotSupported }
        switch apdu.ins {
        case 0xCA: return getData(apdu)
        case 0xB0: return readBinary(apdu)
        case 0xD6: return updateBinary(apdu)
        case 0x00: return readerEscape(apdu)
        default: return StatusWord.instructionNotSupported
        }
    }

    private func getData(_ apdu: IncomingAPDU) -> [UInt8] {
        guard apdu.p2 == 0x00 else { return StatusWord.wrongParameters }
        switch apdu.p1 {
        case 0x00:
            let uidBytes = uid.bytes
            switch apdu.le {
            case nil, 256?: return uidBytes + StatusWord.success
            case let le? where le < uidBytes.count: return StatusWord.exactLength(uidBytes.count)
            case let le? where le > uidBytes.count: return uidBytes + StatusWord.endOfDataBeforeLe
            default: return uidBytes + StatusWord.success
            }
        case 0x01:
            return StatusWord.functionNotSupported
        default:
            return StatusWord.wrongParameters
        }
    }

    private func readBinary(_ apdu: IncomingAPDU) -> [UInt8] {
        guard apdu.data.isEmpty, let le = apdu.le else { return StatusWord.wrongLength }
        let length = le == 256 ? 16 : le
        guard length <= 16 else { return StatusWord.wrongLength }
        let result: [UInt8]? = state.withLock { state in
            try? state.memory.read(fromPage: apdu.p1p2, authenticated: state.isAuthenticated)
        }
        guard let pages = result else { return StatusWord.operationFailed }
        return Array(pages.prefix(length)) + StatusWord.success
    }

    private func updateBinary(_ apdu: IncomingAPDU) -> [UInt8] {
        guard apdu.data.count == 4 else { return StatusWord.wrongLength }
        let written: Bool = state.withLock { state in
            do {
                try state.memory.write(page: apdu.p1p2, data: apdu.data, authenticated: state.isAuthenticated)
                return true
            } catch {
                return false
            }
        }
        return written ? StatusWord.success : StatusWord.operationFailed
    }

    /// `FF 00 P1 P2`: ACR122U pseudo-APDUs for the PN532 and the reader's LED and buzzer.
    private func readerEscape(_ apdu: IncomingAPDU) -> [UInt8] {
        switch (apdu.p1, apdu.p2) {
        case (0x00, 0x00):
            return directTransmit(apdu.data)
        case (0x40, _):
            // LED and buzzer: SW2 reports the LEDs' final state (bit 0 red, bit 1 green) for the
            // LEDs whose update bit (bit 2 red, bit 3 green) is set.
            guard apdu.data.count == 4 else { return StatusWord.wrongLength }
            let red: UInt8 = apdu.p2 & 0x04 != 0 ? apdu.p2 & 0x01 : 0
            let green: UInt8 = apdu.p2 & 0x08 != 0 ? apdu.p2 & 0x02 : 0
            return [0x90, red | green]
        case (0x52, 0x00), (0x52, 0xFF):
            return StatusWord.success
        default:
            return StatusWord.functionNotSupported
        }
    }

    /// PN532 `D4 42` InCommunicateThru: a raw NTAG command, answered `D5 43 status data… 90 00`.
    /// A NAK from the tag shows as status `01` (the PN532's "target did not answer").
    private func directTransmit(_ frame: [UInt8]) -> [UInt8] {
        guard frame.count >= 3, frame[0] == 0xD4, frame[1] == 0x42 else { return StatusWord.functionNotSupported }
        let tagCommand = Array(frame.dropFirst(2))
        guard let answer = state.withLock({ state in Self.execute(tagCommand, on: &state) }) else {
            return [0xD5, 0x43, 0x01] + StatusWord.success
        }
        return [0xD5, 0x43, 0x00] + answer + StatusWord.success
    }

    /// One NTAG21x command as the chip executes it; `nil` is a NAK.
    private static func execute(_ command: [UInt8], on state: inout State) -> [UInt8]? {
        guard let code = command.first else { return nil }
        let memory = state.memory
        switch (code, command.count) {
        case (0x60, 1):  // GET_VERSION
            return memory.model.version
        case (0x30, 2):  // READ
            return try? memory.read(fromPage: Int(command[1]), authenticated: state.isAuthenticated)
        case (0x3A, 3):  // FAST_READ start end: no roll-over, every page must be accessible
            let start = Int(command[1])
            let end = Int(command[2])
            guard start <= end else { return nil }
            var result: [UInt8] = []
            for page in start...end {
                guard let pageBytes = try? memory.read(fromPage: page, authenticated: state.isAuthenticated),
                    page < memory.model.pageCount
                else { return nil }
                result += pageBytes.prefix(4)
            }
            return result
        case (0xA2, 6):  // WRITE page d0 d1 d2 d3: ACK is an empty answer
            do {
                try state.memory.write(page: Int(command[1]), data: Array(command[2...5]), authenticated: state.isAuthenticated)
                return []
            } catch {
                return nil
            }
        case (0x1B, 5):  // PWD_AUTH
            guard Array(command[1...4]) == memory.password else {
                state.isAuthenticated = false
                return nil
            }
            state.isAuthenticated = true
            return memory.passwordAcknowledge
        default:
            return nil
        }
    }
}
