import CPCSCLite
import Glibc

/// An established pcsc-lite context (`SCARDCONTEXT`). Blocking: use it from one dedicated thread.
///
/// `@unchecked Sendable` because the handle is immutable and pcsc-lite serialises calls on one context;
/// the only call meant to come from another thread is `cancel()`, which is what `SCardCancel` is for.
final class PCSCContext: @unchecked Sendable {
    let handle: SCARDCONTEXT

    init() throws {
        var context: SCARDCONTEXT = 0
        let rv = SCardEstablishContext(SCard.scopeSystem, nil, nil, &context)
        guard rv == SCard.success else { throw PCSCError(returnValue: rv, operation: "SCardEstablishContext") }
        handle = context
    }

    deinit { SCardReleaseContext(handle) }

    /// The readers pcscd offers now; empty when there are none.
    func readerNames() throws -> [String] {
        var length: DWORD = 0
        for _ in 0..<4 {  // the list can grow between the two calls: retry
            var rv = SCardListReaders(handle, nil, nil, &length)
            if rv == Int(bitPattern: UInt(PCSCError.Code.noReadersAvailable.rawValue)) { return [] }
            guard rv == SCard.success else { throw PCSCError(returnValue: rv, operation: "SCardListReaders") }
            var buffer = [CChar](repeating: 0, count: Int(length))
            rv = SCardListReaders(handle, nil, &buffer, &length)
            if rv == Int(bitPattern: UInt(PCSCError.Code.insufficientBuffer.rawValue)) { continue }
            if rv == Int(bitPattern: UInt(PCSCError.Code.noReadersAvailable.rawValue)) { return [] }
            guard rv == SCard.success else { throw PCSCError(returnValue: rv, operation: "SCardListReaders") }
            return Self.splitMultiString(buffer.prefix(Int(length)))
        }
        throw PCSCError(.insufficientBuffer, operation: "SCardListReaders")
    }

    /// Blocks until a watched state differs from what the caller passed, or the timeout passes.
    /// - Returns: false on timeout.
    func waitForStatusChange(_ states: inout [ReaderStateSlot], timeoutMilliseconds: DWORD) throws -> Bool {
        let names = states.map { strdup($0.readerName) }
        defer { names.forEach { free($0) } }
        var raw = states.enumerated().map { index, slot in
            var entry = SCARD_READERSTATE()
            entry.szReader = UnsafePointer(names[index])
            entry.dwCurrentState = slot.currentState
            return entry
        }
        let rv = SCardGetStatusChange(handle, timeoutMilliseconds, &raw, DWORD(raw.count))
        if rv == Int(bitPattern: UInt(PCSCError.Code.timeout.rawValue)) { return false }
        guard rv == SCard.success else { throw PCSCError(returnValue: rv, operation: "SCardGetStatusChange") }
        for index in states.indices {
            states[index].eventState = raw[index].dwEventState
            let count = min(Int(raw[index].cbAtr), SCard.maxATRSize)
            states[index].atr = withUnsafeBytes(of: raw[index].rgbAtr) { Array($0.prefix(count)) }
        }
        return true
    }

    /// Wakes a `waitForStatusChange` blocked on this context (from any thread).
    func cancel() { SCardCancel(handle) }

    func connect(reader: String, share: ShareMode, protocols: DWORD) throws -> CardConnection {
        var card: SCARDHANDLE = 0
        var active: DWORD = 0
        let rv = SCardConnect(handle, reader, share.rawValue, protocols, &card, &active)
        guard rv == SCard.success else { throw PCSCError(returnValue: rv, operation: "SCardConnect") }
        return CardConnection(handle: card, activeProtocol: active)
    }

    static func splitMultiString(_ chars: ArraySlice<CChar>) -> [String] {
        chars.split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    }
}

/// One entry of an `SCardGetStatusChange` call, in Swift terms.
struct ReaderStateSlot {
    var readerName: String
    var currentState: DWORD
    var eventState: DWORD = 0
    var atr: [UInt8] = []
}

/// How a connection shares the card with other applications.
public enum ShareMode: Sendable {
    case shared, exclusive, direct
    var rawValue: DWORD {
        switch self {
        case .shared: SCard.shareShared
        case .exclusive: SCard.shareExclusive
        case .direct: SCard.shareDirect
        }
    }
}
