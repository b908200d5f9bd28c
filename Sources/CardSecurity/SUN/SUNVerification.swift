/// A SUN URL that verified: the tag's identity, its read counter and the decrypted file data.
public struct SUNVerification: Sendable, Hashable {
    /// The 7-byte UID.
    public let uid: [UInt8]
    /// SDMReadCtr, 0…0xFFFFFF.
    public let counter: UInt32
    /// The decrypted SDMENCFileData, when the layout mirrors it.
    public let fileData: [UInt8]?

    public init(uid: [UInt8], counter: UInt32, fileData: [UInt8]?) {
        self.uid = uid
        self.counter = counter
        self.fileData = fileData
    }
}
