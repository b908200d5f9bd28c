import Crypto

/// The per-read cryptography of NTAG 424 DNA SDM in AES mode (NT4H2421Gx §9.3, AN12196 §3),
/// shared by the verifier and the message generator so both sides compute it the same way.
struct SUNSession {
    static let uidLength = 7
    static let maximumCounter: UInt32 = 0xFF_FFFF
    /// PICCDataTag for "UID mirrored, SDMReadCtr mirrored, 7-byte UID".
    static let piccDataTag: UInt8 = 0xC7

    let uid: [UInt8]
    let counter: UInt32
    /// The tag's SDMFileReadKey.
    let fileReadKey: SymmetricKey

    /// SDMReadCtr as the tag feeds it to the session vectors: 3 bytes, least significant first.
    var counterLittleEndian: [UInt8] {
        [UInt8(counter & 0xFF), UInt8(counter >> 8 & 0xFF), UInt8(counter >> 16 & 0xFF)]
    }

    /// K_SesSDMFileReadMAC = CMAC(file key, SV2), SV2 = 3C C3 00 01 00 80 ‖ UID ‖ ctr.
    func macKey() throws -> SymmetricKey {
        SymmetricKey(data: try AES128.cmac(key: fileReadKey, message: sessionVector(prefix: [0x3C, 0xC3])))
    }

    /// K_SesSDMFileReadENC = CMAC(file key, SV1), SV1 = C3 3C 00 01 00 80 ‖ UID ‖ ctr.
    func encryptionKey() throws -> SymmetricKey {
        SymmetricKey(data: try AES128.cmac(key: fileReadKey, message: sessionVector(prefix: [0xC3, 0x3C])))
    }

    /// The 8-byte SDMMAC: the bytes at odd indices 1, 3, …, 15 of CMAC(K_SesSDMFileReadMAC, input).
    func truncatedMAC(over input: [UInt8]) throws -> [UInt8] {
        let full = try AES128.cmac(key: macKey(), message: input)
        return stride(from: 1, to: full.count, by: 2).map { full[$0] }
    }

    /// IV for the file data: AES-ECB(K_SesSDMFileReadENC, ctr ‖ 13 × 00).
    func fileDataIV(encryptionKey: SymmetricKey) throws -> [UInt8] {
        try AES128.encryptBlock(counterLittleEndian + [UInt8](repeating: 0, count: 13), key: encryptionKey)
    }

    func decryptFileData(_ ciphertext: [UInt8]) throws -> [UInt8] {
        let key = try encryptionKey()
        return try AES128.decryptCBC(ciphertext, key: key, iv: fileDataIV(encryptionKey: key))
    }

    func encryptFileData(_ plaintext: [UInt8]) throws -> [UInt8] {
        let key = try encryptionKey()
        return try AES128.encryptCBC(plaintext, key: key, iv: fileDataIV(encryptionKey: key))
    }

    /// 6 constant bytes ‖ UID (7) ‖ ctr (3): exactly one block, so no zero padding is needed.
    private func sessionVector(prefix: [UInt8]) -> [UInt8] {
        prefix + [0x00, 0x01, 0x00, 0x80] + uid + counterLittleEndian
    }
}
