import CPCSCLite
import Glibc

/// A connection to the card in one reader (`SCARDHANDLE`). Blocking calls; used from one dedicated thread.
///
/// `@unchecked Sendable` so it can be handed to the thread that owns it; `CardChannel` guarantees every call
/// runs on that one thread.
final class CardConnection: @unchecked Sendable {
    private let handle: SCARDHANDLE
    private(set) var activeProtocol: DWORD
    private var isConnected = true

    init(handle: SCARDHANDLE, activeProtocol: DWORD) {
        self.handle = handle
        self.activeProtocol = activeProtocol
    }

    deinit { if isConnected { SCardDisconnect(handle, SCard.leaveCard) } }

    func transmit(_ command: [UInt8]) throws -> [UInt8] {
        var sendPCI = SCARD_IO_REQUEST(dwProtocol: activeProtocol, cbPciLength: DWORD(MemoryLayout<SCARD_IO_REQUEST>.size))
        var response = [UInt8](repeating: 0, count: SCard.maxResponseSize)
        var length = DWORD(response.count)
        let rv = SCardTransmit(handle, &sendPCI, command, DWORD(command.count), nil, &response, &length)
        // Card answers can hold secrets (a payment card number): the receive buffer is wiped, not just freed.
        defer { response.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } } }
        guard rv == SCard.success else { throw PCSCError(returnValue: rv, operation: "SCardTransmit") }
        return Array(response.prefix(Int(min(length, DWORD(response.count)))))
    }

    func control(code: DWORD, _ input: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 1024)
        var returned: DWORD = 0
        let rv = input.withUnsafeBytes { inputBytes in
            SCardControl(handle, code, inputBytes.baseAddress, DWORD(input.count), &output, DWORD(output.count), &returned)
        }
        guard rv == SCard.success else { throw PCSCError(returnValue: rv, operation: "SCardControl") }
        return Array(output.prefix(Int(returned)))
    }

    func attribute(_ id: DWORD) throws -> [UInt8] {
        var length: DWORD = 0
        var rv = SCardGetAttrib(handle, id, nil, &length)
        guard rv == SCard.success else { throw PCSCError(returnValue: rv, operation: "SCardGetAttrib") }
        var value = [UInt8](repeating: 0, count: Int(length))
        rv = SCardGetAttrib(handle, id, &value, &length)
        guard rv == SCard.success else { throw PCSCError(returnValue: rv, operation: "SCardGetAttrib") }
        return Array(value.prefix(Int(length)))
    }

    func status() throws -> (state: DWORD, atr: [UInt8]) {
        var nameLength: DWORD = 0
        var state: DWORD = 0
        var proto: DWORD = 0
        var atr = [UInt8](repeating: 0, count: SCard.maxATRSize)
        var atrLength = DWORD(atr.count)
        let rv = SCardStatus(handle, nil, &nameLength, &state, &proto, &atr, &atrLength)
        guard rv == SCard.success else { throw PCSCError(returnValue: rv, operation: "SCardStatus") }
        return (state, Array(atr.prefix(Int(atrLength))))
    }

    func reconnect(share: ShareMode, protocols: DWORD, initialization: DWORD) throws {
        var active: DWORD = 0
        let rv = SCardReconnect(handle, share.rawValue, protocols, initialization, &active)
        guard rv == SCard.success else { throw PCSCError(returnValue: rv, operation: "SCardReconnect") }
        activeProtocol = active
    }

    func disconnect(_ disposition: DWORD) {
        guard isConnected else { return }
        isConnected = false
        SCardDisconnect(handle, disposition)
    }
}
