/// The status words the simulated cards and reader firmware answer with (ISO 7816-4, PC/SC part 3).
enum StatusWord {
    static let success: [UInt8] = [0x90, 0x00]
    /// PC/SC part 3 GET DATA: Le asked for more bytes than there are.
    static let endOfDataBeforeLe: [UInt8] = [0x62, 0x82]
    /// ACS readers (ACR122U, ACR1252U) answer every failed pseudo-APDU operation on a memory card
    /// with `63 00`: a page beyond the tag, a protected page, a NAK from the tag.
    static let operationFailed: [UInt8] = [0x63, 0x00]
    static let wrongLength: [UInt8] = [0x67, 0x00]
    static let securityStatusNotSatisfied: [UInt8] = [0x69, 0x82]
    /// No current EF for READ BINARY, or a command out of sequence.
    static let commandNotAllowed: [UInt8] = [0x69, 0x86]
    static let conditionsNotSatisfied: [UInt8] = [0x69, 0x85]
    static let functionNotSupported: [UInt8] = [0x6A, 0x81]
    static let fileNotFound: [UInt8] = [0x6A, 0x82]
    static let recordNotFound: [UInt8] = [0x6A, 0x83]
    static let incorrectP1P2: [UInt8] = [0x6A, 0x86]
    static let referencedDataNotFound: [UInt8] = [0x6A, 0x88]
    static let wrongParameters: [UInt8] = [0x6B, 0x00]
    static let instructionNotSupported: [UInt8] = [0x6D, 0x00]
    static let classNotSupported: [UInt8] = [0x6E, 0x00]

    /// `6C xx`: wrong Le, `xx` is the exact length available.
    static func exactLength(_ length: Int) -> [UInt8] { [0x6C, UInt8(truncatingIfNeeded: length)] }
}
