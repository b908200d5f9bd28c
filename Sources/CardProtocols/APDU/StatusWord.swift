/// SW1 SW2, the two status bytes that end every response APDU (ISO 7816-4 §5.6).
public struct StatusWord: Hashable, Sendable, RawRepresentable {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public init(sw1: UInt8, sw2: UInt8) { self.rawValue = UInt16(sw1) << 8 | UInt16(sw2) }

    public var sw1: UInt8 { UInt8(rawValue >> 8) }
    public var sw2: UInt8 { UInt8(rawValue & 0xFF) }

    /// Only `9000`. DESFire's native `91 00` is not an ISO success and is left to the code that speaks it.
    public var isSuccess: Bool { self == .success }

    /// For `61xx`: how many more bytes GET RESPONSE can fetch (`00` means 256).
    public var bytesAvailable: Int? {
        sw1 == 0x61 ? (sw2 == 0 ? 256 : Int(sw2)) : nil
    }

    /// For `6Cxx`: the Le the card wants the command resent with (`00` means 256).
    public var correctExpectedLength: Int? {
        sw1 == 0x6C ? (sw2 == 0 ? 256 : Int(sw2)) : nil
    }

    /// For `63Cx`: the retry counter the card reports (for example PIN tries left).
    public var retriesRemaining: Int? {
        sw1 == 0x63 && sw2 & 0xF0 == 0xC0 ? Int(sw2 & 0x0F) : nil
    }
}

extension StatusWord {
    public static let success = StatusWord(rawValue: 0x9000)
    public static let noInformationGiven = StatusWord(rawValue: 0x6200)
    public static let endOfFileReached = StatusWord(rawValue: 0x6282)
    public static let selectedFileInvalidated = StatusWord(rawValue: 0x6283)
    public static let verificationFailed = StatusWord(rawValue: 0x6300)
    public static let memoryFailure = StatusWord(rawValue: 0x6581)
    public static let wrongLength = StatusWord(rawValue: 0x6700)
    public static let securityStatusNotSatisfied = StatusWord(rawValue: 0x6982)
    public static let authenticationMethodBlocked = StatusWord(rawValue: 0x6983)
    public static let conditionsOfUseNotSatisfied = StatusWord(rawValue: 0x6985)
    public static let commandNotAllowed = StatusWord(rawValue: 0x6986)
    public static let incorrectDataParameters = StatusWord(rawValue: 0x6A80)
    public static let functionNotSupported = StatusWord(rawValue: 0x6A81)
    public static let fileNotFound = StatusWord(rawValue: 0x6A82)
    public static let recordNotFound = StatusWord(rawValue: 0x6A83)
    public static let notEnoughMemory = StatusWord(rawValue: 0x6A84)
    public static let incorrectParametersP1P2 = StatusWord(rawValue: 0x6A86)
    public static let referencedDataNotFound = StatusWord(rawValue: 0x6A88)
    public static let wrongParametersP1P2 = StatusWord(rawValue: 0x6B00)
    public static let instructionNotSupported = StatusWord(rawValue: 0x6D00)
    public static let classNotSupported = StatusWord(rawValue: 0x6E00)
    public static let noPreciseDiagnosis = StatusWord(rawValue: 0x6F00)
}

extension StatusWord: CustomStringConvertible {
    /// Hex followed by the ISO meaning, for logs: `6A82: file or application not found`.
    public var description: String { "\(hexString(rawValue)): \(meaning)" }

    public var meaning: String {
        switch (sw1, sw2) {
        case (0x90, 0x00): return "success"
        case (0x61, _): return "\(bytesAvailable ?? 0) more bytes available (GET RESPONSE)"
        case (0x62, 0x00): return "warning, no information given"
        case (0x62, 0x81): return "warning, part of returned data may be corrupted"
        case (0x62, 0x82): return "warning, end of file or record reached before Le bytes"
        case (0x62, 0x83): return "warning, selected file invalidated"
        case (0x62, 0x84): return "warning, FCI not formatted as ISO 7816-4 requires"
        case (0x62, _): return "warning, non-volatile memory unchanged"
        case (0x63, 0x00): return "warning, verification failed"
        case (0x63, 0xC0...0xCF): return "warning, verification failed, \(retriesRemaining ?? 0) retries remaining"
        case (0x63, _): return "warning, non-volatile memory changed"
        case (0x64, _): return "execution error, non-volatile memory unchanged"
        case (0x65, 0x81): return "memory failure"
        case (0x65, _): return "execution error, non-volatile memory changed"
        case (0x67, 0x00): return "wrong length"
        case (0x68, 0x81): return "logical channel not supported"
        case (0x68, 0x82): return "secure messaging not supported"
        case (0x68, _): return "functions in CLA not supported"
        case (0x69, 0x81): return "command incompatible with file structure"
        case (0x69, 0x82): return "security status not satisfied"
        case (0x69, 0x83): return "authentication method blocked"
        case (0x69, 0x84): return "reference data not usable"
        case (0x69, 0x85): return "conditions of use not satisfied"
        case (0x69, 0x86): return "command not allowed (no current EF)"
        case (0x69, 0x87): return "expected secure messaging data objects missing"
        case (0x69, 0x88): return "incorrect secure messaging data objects"
        case (0x69, _): return "command not allowed"
        case (0x6A, 0x80): return "incorrect parameters in the command data field"
        case (0x6A, 0x81): return "function not supported"
        case (0x6A, 0x82): return "file or application not found"
        case (0x6A, 0x83): return "record not found"
        case (0x6A, 0x84): return "not enough memory space in the file"
        case (0x6A, 0x86): return "incorrect parameters P1-P2"
        case (0x6A, 0x88): return "referenced data or reference data not found"
        case (0x6A, _): return "wrong parameters"
        case (0x6B, 0x00): return "wrong parameters P1-P2"
        case (0x6C, _): return "wrong Le, card wants \(correctExpectedLength ?? 0)"
        case (0x6D, 0x00): return "INS not supported"
        case (0x6E, 0x00): return "CLA not supported"
        case (0x6F, 0x00): return "no precise diagnosis"
        case (0x91, 0x00): return "DESFire native success (not an ISO success)"
        default: return "unknown status"
        }
    }
}
