import CPCSCLite

// pcsc-lite's constants, spelled out: several are C macros with casts that Swift does not import.
enum SCard {
    static let success = 0
    static let scopeSystem: DWORD = 2
    static let infinite: DWORD = 0xFFFF_FFFF
    static let autoAllocate: DWORD = DWORD.max

    static let shareExclusive: DWORD = 1
    static let shareShared: DWORD = 2
    static let shareDirect: DWORD = 3

    static let protocolUndefined: DWORD = 0
    static let protocolT0: DWORD = 1
    static let protocolT1: DWORD = 2
    static let protocolRaw: DWORD = 4

    static let leaveCard: DWORD = 0
    static let resetCard: DWORD = 1
    static let unpowerCard: DWORD = 2
    static let ejectCard: DWORD = 3

    static let stateUnaware: DWORD = 0x0000
    static let stateIgnore: DWORD = 0x0001
    static let stateChanged: DWORD = 0x0002
    static let stateUnknown: DWORD = 0x0004
    static let stateUnavailable: DWORD = 0x0008
    static let stateEmpty: DWORD = 0x0010
    static let statePresent: DWORD = 0x0020
    static let stateATRMatch: DWORD = 0x0040
    static let stateExclusive: DWORD = 0x0080
    static let stateInUse: DWORD = 0x0100
    static let stateMute: DWORD = 0x0200
    static let stateUnpowered: DWORD = 0x0400

    static let maxATRSize = 33
    /// Largest response a short or extended APDU can bring: 65 536 data bytes + SW1 SW2.
    static let maxResponseSize = 65_538
    static let plugAndPlayReaderName = "\\\\?PnP?\\Notification"
}
