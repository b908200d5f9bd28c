/// The SUN mirrors found in one URL, decoded from hex but not yet verified.
public struct SUNURLParts: Sendable, Hashable {
    /// The tag's identity and read counter, as mirrored.
    public enum PICC: Sendable, Hashable {
        /// 16 bytes of AES-encrypted PICCData.
        case encrypted([UInt8])
        /// The UID (7 bytes) and SDMReadCtr mirrored in clear.
        case plain(uid: [UInt8], counter: UInt32)
    }

    public let picc: PICC
    /// SDMENCFileData, a positive multiple of 16 bytes, when the layout mirrors it.
    public let encryptedFileData: [UInt8]?
    /// The truncated SDMMAC, 8 bytes.
    public let mac: [UInt8]
    /// The exact URL bytes the tag computed the MAC over (possibly empty).
    public let macInput: [UInt8]

    public init(picc: PICC, encryptedFileData: [UInt8]?, mac: [UInt8], macInput: [UInt8]) {
        self.picc = picc
        self.encryptedFileData = encryptedFileData
        self.mac = mac
        self.macInput = macInput
    }
}
