/// The 16-byte identifier head office gives a phone when the companion app enrolls its key.
/// Random, so it says nothing about the customer by itself.
public struct AppDeviceID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// - Throws: ``CardSecurityError`` `.malformed` unless `bytes` has 16 bytes.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == CompanionAppProtocol.deviceIDLength else {
            throw CardSecurityError.malformed(
                "device id must be \(CompanionAppProtocol.deviceIDLength) bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// - Throws: ``CardSecurityError`` `.malformed` unless `hex` is 32 hex digits.
    public init(hex: String) throws {
        guard let bytes = Hex.decode(hex) else {
            throw CardSecurityError.malformed("device id \"\(hex.prefix(40))\" is not hex")
        }
        try self.init(bytes: bytes)
    }

    /// Upper-case hex.
    public var description: String { Hex.encode(bytes) }

    public init(from decoder: any Decoder) throws {
        try self.init(hex: decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
