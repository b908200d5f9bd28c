import CPCSCLite

/// The card in one reader, for async code: every call runs on the reader's own thread.
public final class CardChannel: Sendable {
    public let readerName: String
    /// The ATR the card gave when we connected.
    public let atr: [UInt8]
    private let connection: CardConnection
    private let thread: BlockingCallThread

    init(readerName: String, atr: [UInt8], connection: CardConnection, thread: BlockingCallThread) {
        self.readerName = readerName
        self.atr = atr
        self.connection = connection
        self.thread = thread
    }

    /// Sends one command APDU (or a reader pseudo-APDU such as `FF CA 00 00 00`) and returns the raw response.
    public func transmit(_ command: [UInt8]) async throws -> [UInt8] {
        try await thread.run { [connection] in try connection.transmit(command) }
    }

    /// Sends a command to the reader itself (`SCardControl`), e.g. an ACS LED/buzzer escape command.
    public func control(code: UInt32, _ input: [UInt8]) async throws -> [UInt8] {
        try await thread.run { [connection] in try connection.control(code: DWORD(code), input) }
    }

    /// Reads a reader attribute (`SCardGetAttrib`), e.g. `ReaderAttribute.vendorName`.
    public func attribute(_ id: ReaderAttribute) async throws -> [UInt8] {
        try await thread.run { [connection] in try connection.attribute(DWORD(id.rawValue)) }
    }

    /// Re-establishes the connection after `SCARD_W_RESET_CARD`, optionally resetting the card.
    public func reconnect(resettingCard: Bool = false) async throws {
        try await thread.run { [connection] in
            try connection.reconnect(
                share: .shared, protocols: SCard.protocolT0 | SCard.protocolT1,
                initialization: resettingCard ? SCard.resetCard : SCard.leaveCard)
        }
    }

    /// Releases the card. Safe to call twice. `resettingCard` powers the card down so its session state is lost.
    public func disconnect(resettingCard: Bool = false) async {
        _ = try? await thread.run { [connection] in
            connection.disconnect(resettingCard ? SCard.resetCard : SCard.leaveCard)
        }
    }
}

/// `SCardControl` codes.
public enum ControlCode {
    /// `SCARD_CTL_CODE(code)` as pcsc-lite defines it on Unix: `0x42000000 + code`.
    public static func make(_ code: UInt32) -> UInt32 { 0x4200_0000 + code }
    /// The CCID escape command of libccid (`SCARD_CTL_CODE(1)`); needs `ifdDriverOptions` bit 0x01 in libccid's Info.plist.
    public static let ccidEscape = make(1)
    /// ACS's acsccid driver escape (`SCARD_CTL_CODE(3500)`), accepted without the libccid option.
    public static let acsEscape = make(3500)
}

/// `SCardGetAttrib` identifiers (`SCARD_ATTR_*`).
public struct ReaderAttribute: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let vendorName = Self(rawValue: 0x0001_0100)
    public static let vendorIFDType = Self(rawValue: 0x0001_0101)
    public static let vendorIFDVersion = Self(rawValue: 0x0001_0102)
    public static let vendorIFDSerialNumber = Self(rawValue: 0x0001_0103)
    public static let atrString = Self(rawValue: 0x0009_0303)
    public static let maxInput = Self(rawValue: 0x0007_A007)
    public static let deviceFriendlyName = Self(rawValue: 0x7FFF_0003)
}
