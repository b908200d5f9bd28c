/// What an ISO 14443-4 (ISO-DEP) card shows the reader before any APDU: its UID and ATS, and
/// the PC/SC part 3 ATR the reader builds from the ATS's historical bytes.
///
/// The reader firmware also answers the part 3 GET DATA pseudo-APDU from these values, without
/// asking the card: ``answerReaderCommand(_:)``.
public struct ContactlessIdentity: Hashable, Sendable {
    /// 4, 7 or 10 bytes; phones and many bank cards use a random 4-byte UID starting with `08`.
    public let uid: [UInt8]
    /// TL, T0, then interface bytes and historical bytes, as the card sent it (without CRC).
    public let ats: [UInt8]
    public let historicalBytes: [UInt8]

    /// - Parameters:
    ///   - uid: 4, 7 or 10 bytes.
    ///   - historicalBytes: at most 15 bytes (the ATR's T0 counts them in 4 bits).
    ///   - interfaceBytes: the ATS's TA, TB and TC (bit rates, frame waiting time, CID/NAD support).
    /// - Throws: ``CardSimulatorError/Code-swift.struct/invalidUID`` or
    ///   ``CardSimulatorError/Code-swift.struct/invalidArgument``.
    public init(uid: [UInt8], historicalBytes: [UInt8], interfaceBytes: [UInt8] = [0x77, 0x71, 0x02]) throws(CardSimulatorError) {
        guard [4, 7, 10].contains(uid.count) else {
            throw CardSimulatorError(.invalidUID, "an ISO 14443-A UID has 4, 7 or 10 bytes; got \(uid.count): \(Hex.encode(uid))")
        }
        guard interfaceBytes.count == 3 else {
            throw CardSimulatorError(.invalidArgument, "an ATS has 3 interface bytes (TA, TB, TC) here; got \(interfaceBytes.count)")
        }
        guard historicalBytes.count <= 15 else {
            throw CardSimulatorError(.invalidArgument, "an ATR holds at most 15 historical bytes; got \(historicalBytes.count)")
        }
        self.uid = uid
        self.historicalBytes = historicalBytes
        // T0 = 0x70 | FSCI 7: TA, TB, TC present, frames up to 128 bytes; TL counts itself.
        let body = [0x77] + interfaceBytes + historicalBytes
        ats = [UInt8(body.count + 1)] + body
    }

    /// `3B 8n 80 01 historical… TCK`: PC/SC part 3's ATR for a 14443-4 card, n = historical byte count,
    /// TCK the XOR of every byte after `3B`.
    public var atr: [UInt8] {
        let body: [UInt8] = [0x80 | UInt8(historicalBytes.count), 0x80, 0x01] + historicalBytes
        return [0x3B] + body + [body.reduce(0, ^)]
    }

    /// Class `FF` pseudo-APDUs answered by the reader itself: GET DATA UID (`FF CA 00 00`) and
    /// ATS (`FF CA 01 00`). The reader cannot run memory-card commands on an ISO-DEP card: `6A 81`.
    func answerReaderCommand(_ apdu: IncomingAPDU) -> [UInt8] {
        guard apdu.ins == 0xCA else { return StatusWord.functionNotSupported }
        guard apdu.p2 == 0x00 else { return StatusWord.wrongParameters }
        let value: [UInt8]
        switch apdu.p1 {
        case 0x00: value = uid
        case 0x01: value = ats
        default: return StatusWord.wrongParameters
        }
        switch apdu.le {
        case nil, 256?: return value + StatusWord.success
        case let le? where le < value.count: return StatusWord.exactLength(value.count)
        case let le? where le > value.count: return value + StatusWord.endOfDataBeforeLe
        default: return value + StatusWord.success
        }
    }
}
