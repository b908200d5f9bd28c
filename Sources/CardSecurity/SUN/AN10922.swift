import Crypto

/// NXP AN10922 "Symmetric key diversifications", AES-128 method (§2.2).
///
/// The diversified key is the last block of AES-CBC (zero IV) over `0x01 ‖ M`, where M is the
/// diversification input (1–31 bytes, for example UID ‖ application id ‖ system identifier). Unlike
/// plain CMAC, the data is always processed as two blocks: 32 bytes exactly are used as they are and
/// the last block is XORed with CMAC subkey K1; anything shorter is padded with `80 00…` to 32 bytes
/// and the last block is XORed with K2.
public enum AN10922 {
    public static let maximumInputLength = 31

    /// - Parameters:
    ///   - masterKey: The AES-128 master key.
    ///   - input: The diversification input M, 1–31 bytes.
    /// - Throws: ``CardSecurityError`` `.configuration` for a key that is not AES-128 or an input
    ///   outside 1–31 bytes.
    public static func diversifyAES128(masterKey: SymmetricKey, input: [UInt8]) throws -> SymmetricKey {
        try AES128.requireKey(masterKey, named: "AN10922 master key")
        guard (1...maximumInputLength).contains(input.count) else {
            throw CardSecurityError.configuration(
                "AN10922 diversification input must be 1–\(maximumInputLength) bytes, got \(input.count)")
        }
        let (k1, k2) = try subkeys(masterKey)
        var data = [0x01] + input
        let subkey: [UInt8]
        if data.count == 2 * AES128.blockSize {
            subkey = k1
        } else {
            data.append(0x80)
            data += [UInt8](repeating: 0, count: 2 * AES128.blockSize - data.count)
            subkey = k2
        }
        for index in 0..<AES128.blockSize {
            data[AES128.blockSize + index] ^= subkey[index]
        }
        let encrypted = try AES128.encryptCBC(data, key: masterKey)
        return SymmetricKey(data: encrypted.suffix(AES128.blockSize))
    }

    /// The CMAC subkeys K1 and K2 (NIST SP 800-38B §6.1) of `key`.
    static func subkeys(_ key: SymmetricKey) throws -> (k1: [UInt8], k2: [UInt8]) {
        let l = try AES128.encryptBlock(AES128.zeroBlock, key: key)
        let k1 = doubled(l)
        return (k1, doubled(k1))
    }

    /// Multiplication by x in GF(2^128): shift left one bit, reduce with 0x87 on carry.
    private static func doubled(_ block: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: block.count)
        var carry: UInt8 = 0
        for index in block.indices.reversed() {
            result[index] = block[index] << 1 | carry
            carry = block[index] >> 7
        }
        if carry == 1 {
            result[result.count - 1] ^= 0x87
        }
        return result
    }
}
