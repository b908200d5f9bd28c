/// A command APDU as a card receives it, split into header, data and Le.
///
/// Short APDUs only (ISO 7816-4 cases 1–4): no contactless reader forwards extended APDUs to the
/// simulated cards, so an extended-length encoding is refused as a wrong length.
struct IncomingAPDU: Equatable, Sendable {
    let cla: UInt8
    let ins: UInt8
    let p1: UInt8
    let p2: UInt8
    let data: [UInt8]
    /// The expected response length; `nil` when the APDU carries no Le. A present Le byte of `00` means 256.
    let le: Int?

    enum ParseFailure: Error, Equatable {
        /// Fewer than the 4 header bytes.
        case tooShort
        /// Lc does not match the bytes present, or an extended-length encoding.
        case lengthMismatch
    }

    init(parsing bytes: [UInt8]) throws(ParseFailure) {
        guard bytes.count >= 4 else { throw .tooShort }
        cla = bytes[0]
        ins = bytes[1]
        p1 = bytes[2]
        p2 = bytes[3]
        switch bytes.count {
        case 4:
            data = []
            le = nil
        case 5:
            data = []
            le = bytes[4] == 0 ? 256 : Int(bytes[4])
        default:
            let lc = Int(bytes[4])
            guard lc > 0 else { throw .lengthMismatch }
            if bytes.count == 5 + lc {
                le = nil
            } else if bytes.count == 6 + lc {
                le = bytes[5 + lc] == 0 ? 256 : Int(bytes[5 + lc])
            } else {
                throw .lengthMismatch
            }
            data = Array(bytes[5..<(5 + lc)])
        }
    }

    /// P1-P2 read as one big-endian number (a page, block or offset address).
    var p1p2: Int { Int(p1) << 8 | Int(p2) }
}
