import Synchronization

/// An NXP NTAG213, NTAG215 or NTAG216 in the field of an ACS-style contactless reader (ACR122U,
/// ACR1252U): the chip's full memory image and lock rules, plus the reader firmware's PC/SC part 3
/// pseudo-APDUs (see `NTAGTag+ReaderFirmware.swift`).
public final class NTAGTag: VirtualCard {
    /// PC/SC part 3 ATR of a 14443-A part 3 storage card named "MIFARE Ultralight" (`0003`), which is
    /// what readers report for NTAG21x.
    public static let storageCardATR: [UInt8] = [
        0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x68,
    ]

    public let model: NTAGModel
    public let uid: TagUID

    struct State: Sendable {
        var memory: NTAGMemory
        /// PWD_AUTH succeeded during this activation.
        var isAuthenticated = false
    }

    let state: Mutex<State>

    /// A tag as it leaves personalisation.
    /// - Parameters:
    ///   - userData: the bytes from page 4 on (the TLV area); `nil` gives the model's factory content.
    ///     Shorter data is followed by zeros.
    ///   - capabilityContainerAccess: the CC's access byte: `00` read/write, `0F` read-only.
    ///   - dataAreaSize: the data area the CC declares, a multiple of 8 up to the model's
    ///     (``NTAGModel/dataAreaSize``); smaller plays a tag formatted "too small" for a message.
    /// - Throws: ``CardSimulatorError/Code-swift.struct/ndefTooLarge`` when `userData` exceeds the
    ///   user memory, ``CardSimulatorError/Code-swift.struct/invalidArgument`` for a bad data area size.
    public init(
        model: NTAGModel, uid: TagUID = .sample, userData: [UInt8]? = nil, capabilityContainerAccess: UInt8 = 0x00,
        dataAreaSize: Int? = nil
    ) throws(CardSimulatorError) {
        let data = userData ?? model.factoryUserData
        guard data.count <= model.userMemorySize else {
            throw CardSimulatorError(
                .ndefTooLarge,
                "\(data.count) bytes do not fit in the \(model.userMemorySize)-byte user memory of an \(model)")
        }
        let sizeByte = try Self.capabilityContainerSize(model: model, dataAreaSize: dataAreaSize)
        self.model = model
        self.uid = uid
        state = Mutex(
            State(
                memory: NTAGMemory(
                    model: model, uid: uid, userData: data, capabilityContainerSize: sizeByte,
                    capabilityContainerAccess: capabilityContainerAccess)))
    }

    static func capabilityContainerSize(model: NTAGModel, dataAreaSize: Int?) throws(CardSimulatorError) -> UInt8 {
        guard let dataAreaSize else { return model.capabilityContainerSize }
        guard dataAreaSize % 8 == 0, (8...model.dataAreaSize).contains(dataAreaSize) else {
            throw CardSimulatorError(
                .invalidArgument,
                "the CC's data area size is a multiple of 8 from 8 to \(model.dataAreaSize) on an \(model); got \(dataAreaSize)")
        }
        return UInt8(dataAreaSize / 8)
    }

    public var atr: [UInt8] { Self.storageCardATR }

    /// A new activation: the password must be presented again.
    public func powerOn() {
        state.withLock { $0.isAuthenticated = false }
    }

    public func powerOff() {
        state.withLock { $0.isAuthenticated = false }
    }

    // MARK: Inspection (tests, CLI)

    /// The whole memory image, `pageCount × 4` bytes, PWD and PACK included.
    public var memory: [UInt8] { state.withLock { $0.memory.bytes } }

    /// One page's 4 bytes, or `nil` beyond the last page.
    public func page(_ number: Int) -> [UInt8]? { state.withLock { $0.memory.page(number) } }

    /// The user memory from page 4 (the TLV area holding the NDEF message).
    public var userMemory: [UInt8] {
        let start = model.firstUserPage * 4
        return Array(memory[start..<start + model.userMemorySize])
    }

    public var isAuthenticated: Bool { state.withLock { $0.isAuthenticated } }

    /// Whether the chip refuses writes to `page` because of lock bits, UID pages or CFGLCK.
    public func isLocked(page: Int) -> Bool { state.withLock { $0.memory.isLocked(page: page) } }

    // MARK: Personalisation

    /// Makes the tag permanently read-only as NFC tools do: CC access `0F` and every lock bit set.
    public func makeReadOnly() {
        state.withLock { $0.memory.makeReadOnly() }
    }

    /// Sets PWD, PACK, AUTH0 and ACCESS.PROT directly, as an issuing station would before handing the tag out.
    /// - Parameters:
    ///   - password: 4 bytes.
    ///   - acknowledge: 2 bytes returned by a successful PWD_AUTH.
    ///   - firstProtectedPage: AUTH0; pages from there on need the password to be written.
    ///   - protectReads: ACCESS.PROT: reads of those pages need it too.
    public func protect(
        password: [UInt8], acknowledge: [UInt8], firstProtectedPage: Int, protectReads: Bool
    ) throws(CardSimulatorError) {
        guard password.count == 4, acknowledge.count == 2 else {
            throw CardSimulatorError(
                .invalidArgument,
                "an NTAG password has 4 bytes and its acknowledge 2; got \(password.count) and \(acknowledge.count)")
        }
        guard (0...255).contains(firstProtectedPage) else {
            throw CardSimulatorError(.invalidArgument, "AUTH0 is one byte (0–255); got \(firstProtectedPage)")
        }
        state.withLock { state in
            state.memory.personalise(
                password: password, acknowledge: acknowledge, auth0: UInt8(firstProtectedPage), protectReads: protectReads)
        }
    }
}
