import Crypto

/// PBKDF2 (RFC 8018 §5.2) with HMAC-SHA256, built on swift-crypto's `HMAC`: the store's staff PINs and head
/// office's manager passwords.
///
/// swift-crypto has no PBKDF2 on Linux (`_CryptoExtras` only has it behind BoringSSL internals that are not part of
/// its API), and none of the packages we may depend on offer scrypt or Argon2, so the KDF is written here and
/// checked against published test vectors. The keyed HMAC state is computed once and copied per iteration.
public enum PBKDF2 {
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, keyByteCount: Int) -> [UInt8] {
        precondition(iterations > 0 && keyByteCount > 0, "PBKDF2 needs at least one iteration and one output byte")
        let keyed = HMAC<SHA256>(key: SymmetricKey(data: password))
        var output: [UInt8] = []
        output.reserveCapacity(keyByteCount)
        var blockIndex: UInt32 = 1
        while output.count < keyByteCount {
            var first = keyed
            first.update(data: salt)
            first.update(data: [UInt8(truncatingIfNeeded: blockIndex >> 24), UInt8(truncatingIfNeeded: blockIndex >> 16),
                                UInt8(truncatingIfNeeded: blockIndex >> 8), UInt8(truncatingIfNeeded: blockIndex)])
            var previous = Array(first.finalize())
            var block = previous
            for _ in 1..<max(iterations, 1) {
                var next = keyed
                next.update(data: previous)
                previous = Array(next.finalize())
                for index in block.indices { block[index] ^= previous[index] }
            }
            output.append(contentsOf: block.prefix(keyByteCount - output.count))
            blockIndex += 1
        }
        return output
    }
}
