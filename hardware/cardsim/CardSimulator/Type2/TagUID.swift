/// The 7-byte (double-size) UID of an ISO 14443-A tag such as an NTAG21x, with its check bytes.
public struct TagUID: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// - Throws: ``CardSimulatorError/Code-swift.struct/invalidUID`` unless there are exactly 7 bytes,
    ///   or when the first byte is `88` (the cascade tag, which ISO 14443-3 forbids as UID0).
    public init(_ bytes: [UInt8]) throws(CardSimulatorError) {
        guard bytes.count == 7 else {
            throw CardSimulatorError(
                .invalidUID, "a tag UID has 7 bytes (14 hex digits); got \(bytes.count): \(Hex.encode(bytes))")
        }
        guard bytes[0] != 0x88 else {
            throw CardSimulatorError(
                .invalidUID, "UID \(Hex.encode(bytes)) starts with 88, the ISO 14443-3 cascade tag; NXP tags start with 04")
        }
        self.bytes = bytes
    }

    /// Parses 14 hex digits, e.g. `04A1B2C3D4E5F6` or `04:A1:B2:C3:D4:E5:F6`.
    public init(hex: String) throws(CardSimulatorError) {
        let bytes: [UInt8]
        do {
            bytes = try Hex.decode(hex)
        } catch {
            throw CardSimulatorError(.invalidUID, "bad UID: \(error.message)")
        }
        try self.init(bytes)
    }

    /// The UID used when none is given: NXP manufacturer byte 04, then an arbitrary serial.
    public static let sample = TagUID(checked: [0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6])

    /// For constants whose validity is visible in the source.
    private init(checked bytes: [UInt8]) { self.bytes = bytes }

    /// BCC0 = CT (88) ⊕ UID0 ⊕ UID1 ⊕ UID2, stored in page 0 byte 3.
    public var bcc0: UInt8 { 0x88 ^ bytes[0] ^ bytes[1] ^ bytes[2] }
    /// BCC1 = UID3 ⊕ UID4 ⊕ UID5 ⊕ UID6, stored in page 2 byte 0.
    public var bcc1: UInt8 { bytes[3] ^ bytes[4] ^ bytes[5] ^ bytes[6] }

    public var description: String { Hex.encode(bytes) }
}
