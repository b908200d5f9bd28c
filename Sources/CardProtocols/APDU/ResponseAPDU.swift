/// A response APDU: the data the card returned and its ``StatusWord``.
public struct ResponseAPDU: Hashable, Sendable {
    public let data: [UInt8]
    public let status: StatusWord

    public init(data: [UInt8] = [], status: StatusWord) {
        self.data = data
        self.status = status
    }

    /// - Throws: ``CardProtocolError/truncated`` when fewer than the 2 status bytes are present.
    public init(parsing bytes: [UInt8]) throws(CardProtocolError) {
        guard bytes.count >= 2 else {
            throw .truncated("response APDU needs at least SW1 SW2, got \(bytes.count) bytes")
        }
        self.data = Array(bytes[..<(bytes.count - 2)])
        self.status = StatusWord(sw1: bytes[bytes.count - 2], sw2: bytes[bytes.count - 1])
    }

    public var isSuccess: Bool { status.isSuccess }

    public func serialized() -> [UInt8] { data + [status.sw1, status.sw2] }

    /// The data of a `9000` response.
    ///
    /// - Parameter operation: what the command was, for the error message ("SELECT NDEF application").
    /// - Throws: ``CardProtocolError/unexpectedStatus`` naming the operation and the status otherwise.
    public func successData(of operation: String) throws(CardProtocolError) -> [UInt8] {
        guard status.isSuccess else {
            throw .unexpectedStatus("\(operation) answered \(status)")
        }
        return data
    }
}

extension ResponseAPDU: CustomStringConvertible {
    public var description: String {
        data.isEmpty ? status.description : "\(hexString(data)) \(status)"
    }
}
