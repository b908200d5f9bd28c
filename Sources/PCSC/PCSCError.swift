/// A failed PC/SC call: which call, and the `SCARD_*` code pcsc-lite returned, with what it means.
///
/// Equality compares the code only, so tests and callers can match `PCSCError(.removedCard)`.
public struct PCSCError: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: Code
    /// The pcsc-lite function that failed, e.g. `SCardTransmit`.
    public let operation: String

    public init(_ code: Code, operation: String = "") {
        self.code = code
        self.operation = operation
    }

    init(returnValue: Int, operation: String) {
        self.init(Code(rawValue: UInt32(truncatingIfNeeded: returnValue)), operation: operation)
    }

    public static func == (lhs: PCSCError, rhs: PCSCError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public var description: String {
        operation.isEmpty ? code.description : "\(operation): \(code.description)"
    }

    /// True when the PC/SC service itself went away (pcscd stopped or restarted): the context must be re-established.
    public var meansServiceLost: Bool {
        code == .noService || code == .serviceStopped || code == .invalidHandle || code == .commError
    }

    /// True when the card left the field or was reset under us: that tap is over, the reader is fine.
    public var meansCardGone: Bool {
        code == .removedCard || code == .resetCard || code == .noSmartcard || code == .notTransacted
            || code == .unpoweredCard || code == .unresponsiveCard
    }

    /// An `SCARD_*` return code.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public var name: String { Self.table[rawValue]?.name ?? "SCARD_0x" + String(rawValue, radix: 16, uppercase: true) }
        public var meaning: String { Self.table[rawValue]?.meaning ?? "an error code pcsc-lite does not document" }
        public var description: String {
            "\(name) (0x\(String(rawValue, radix: 16, uppercase: true))): \(meaning)"
        }
    }
}

extension PCSCError.Code {
    public static let internalError = Self(rawValue: 0x8010_0001)
    public static let cancelled = Self(rawValue: 0x8010_0002)
    public static let invalidHandle = Self(rawValue: 0x8010_0003)
    public static let invalidParameter = Self(rawValue: 0x8010_0004)
    public static let invalidTarget = Self(rawValue: 0x8010_0005)
    public static let noMemory = Self(rawValue: 0x8010_0006)
    public static let waitedTooLong = Self(rawValue: 0x8010_0007)
    public static let insufficientBuffer = Self(rawValue: 0x8010_0008)
    public static let unknownReader = Self(rawValue: 0x8010_0009)
    public static let timeout = Self(rawValue: 0x8010_000A)
    public static let sharingViolation = Self(rawValue: 0x8010_000B)
    public static let noSmartcard = Self(rawValue: 0x8010_000C)
    public static let unknownCard = Self(rawValue: 0x8010_000D)
    public static let cantDispose = Self(rawValue: 0x8010_000E)
    public static let protocolMismatch = Self(rawValue: 0x8010_000F)
    public static let notReady = Self(rawValue: 0x8010_0010)
    public static let invalidValue = Self(rawValue: 0x8010_0011)
    public static let systemCancelled = Self(rawValue: 0x8010_0012)
    public static let commError = Self(rawValue: 0x8010_0013)
    public static let unknownError = Self(rawValue: 0x8010_0014)
    public static let invalidATR = Self(rawValue: 0x8010_0015)
    public static let notTransacted = Self(rawValue: 0x8010_0016)
    public static let readerUnavailable = Self(rawValue: 0x8010_0017)
    public static let pciTooSmall = Self(rawValue: 0x8010_0019)
    public static let readerUnsupported = Self(rawValue: 0x8010_001A)
    public static let duplicateReader = Self(rawValue: 0x8010_001B)
    public static let cardUnsupported = Self(rawValue: 0x8010_001C)
    public static let noService = Self(rawValue: 0x8010_001D)
    public static let serviceStopped = Self(rawValue: 0x8010_001E)
    /// pcsc-lite returns 0x8010001F for an unsupported feature (Windows uses 0x80100022 for that and
    /// 0x8010001F for "unexpected"); pcsc-lite never returns "unexpected".
    public static let unsupportedFeature = Self(rawValue: 0x8010_001F)
    public static let unsupportedFeatureWindows = Self(rawValue: 0x8010_0022)
    public static let noReadersAvailable = Self(rawValue: 0x8010_002E)
    public static let unsupportedCard = Self(rawValue: 0x8010_0065)
    public static let unresponsiveCard = Self(rawValue: 0x8010_0066)
    public static let unpoweredCard = Self(rawValue: 0x8010_0067)
    public static let resetCard = Self(rawValue: 0x8010_0068)
    public static let removedCard = Self(rawValue: 0x8010_0069)

    private static let table: [UInt32: (name: String, meaning: String)] = [
        0x8010_0001: ("SCARD_F_INTERNAL_ERROR", "pcsc-lite hit an internal consistency error"),
        0x8010_0002: ("SCARD_E_CANCELLED", "the wait was cancelled by SCardCancel"),
        0x8010_0003: ("SCARD_E_INVALID_HANDLE", "the context or card handle is no longer valid (was pcscd restarted?)"),
        0x8010_0004: ("SCARD_E_INVALID_PARAMETER", "a parameter given to pcsc-lite was invalid"),
        0x8010_0005: ("SCARD_E_INVALID_TARGET", "registry startup information is missing or invalid"),
        0x8010_0006: ("SCARD_E_NO_MEMORY", "not enough memory to complete the command"),
        0x8010_0007: ("SCARD_F_WAITED_TOO_LONG", "an internal consistency timer expired"),
        0x8010_0008: ("SCARD_E_INSUFFICIENT_BUFFER", "the receive buffer is too small for the answer"),
        0x8010_0009: ("SCARD_E_UNKNOWN_READER", "no reader by that name (it may have been unplugged)"),
        0x8010_000A: ("SCARD_E_TIMEOUT", "the timeout expired with no event"),
        0x8010_000B: ("SCARD_E_SHARING_VIOLATION", "another application holds the card exclusively"),
        0x8010_000C: ("SCARD_E_NO_SMARTCARD", "no card is in the reader's field"),
        0x8010_000D: ("SCARD_E_UNKNOWN_CARD", "the card name is not known"),
        0x8010_000E: ("SCARD_E_CANT_DISPOSE", "the card could not be disposed of as asked"),
        0x8010_000F: ("SCARD_E_PROTO_MISMATCH", "the card does not speak the requested protocol"),
        0x8010_0010: ("SCARD_E_NOT_READY", "the reader or card is not ready"),
        0x8010_0011: ("SCARD_E_INVALID_VALUE", "a value given to pcsc-lite could not be used"),
        0x8010_0012: ("SCARD_E_SYSTEM_CANCELLED", "the system cancelled the action"),
        0x8010_0013: ("SCARD_F_COMM_ERROR", "communication with pcscd failed"),
        0x8010_0014: ("SCARD_F_UNKNOWN_ERROR", "pcsc-lite reported an unknown error"),
        0x8010_0015: ("SCARD_E_INVALID_ATR", "the card's ATR is invalid"),
        0x8010_0016: ("SCARD_E_NOT_TRANSACTED", "the reader could not complete the exchange (card left; from SCardControl: the driver refuses escape commands)"),
        0x8010_0017: ("SCARD_E_READER_UNAVAILABLE", "the reader is not available (unplugged or in use)"),
        0x8010_0019: ("SCARD_E_PCI_TOO_SMALL", "the protocol control information buffer is too small"),
        0x8010_001A: ("SCARD_E_READER_UNSUPPORTED", "the reader driver does not meet requirements"),
        0x8010_001B: ("SCARD_E_DUPLICATE_READER", "the reader driver created a duplicate reader name"),
        0x8010_001C: ("SCARD_E_CARD_UNSUPPORTED", "the card is not supported"),
        0x8010_001D: ("SCARD_E_NO_SERVICE", "pcscd is not running"),
        0x8010_001E: ("SCARD_E_SERVICE_STOPPED", "pcscd stopped, or client and daemon versions differ"),
        0x8010_001F: ("SCARD_E_UNSUPPORTED_FEATURE", "the reader or driver does not support this feature (or control code)"),
        0x8010_0022: ("SCARD_E_UNSUPPORTED_FEATURE", "the reader or driver does not support this feature (Windows code)"),
        0x8010_002E: ("SCARD_E_NO_READERS_AVAILABLE", "no reader is connected"),
        0x8010_0065: ("SCARD_W_UNSUPPORTED_CARD", "the card's ATR does not match a supported card"),
        0x8010_0066: ("SCARD_W_UNRESPONSIVE_CARD", "the card does not answer a reset"),
        0x8010_0067: ("SCARD_W_UNPOWERED_CARD", "the card is not powered"),
        0x8010_0068: ("SCARD_W_RESET_CARD", "the card was reset; the connection must be re-established"),
        0x8010_0069: ("SCARD_W_REMOVED_CARD", "the card left the reader's field"),
    ]
}
