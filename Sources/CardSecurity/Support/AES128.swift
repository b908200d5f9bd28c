import Crypto
import CryptoExtras
import Foundation

/// The AES-128 operations the NXP schemes are built from, with swift-crypto's errors turned into
/// ``CardSecurityError`` so callers see one error type.
enum AES128 {
    static let blockSize = 16
    static let zeroBlock = [UInt8](repeating: 0, count: blockSize)

    static func requireKey(_ key: SymmetricKey, named name: String) throws {
        guard key.bitCount == 128 else {
            throw CardSecurityError.configuration("\(name) must be an AES-128 key (16 bytes), got \(key.bitCount / 8) bytes")
        }
    }

    static func makeKey(_ bytes: [UInt8]) -> SymmetricKey {
        SymmetricKey(data: bytes)
    }

    /// AES-CMAC (NIST SP 800-38B), full 16 bytes.
    static func cmac(key: SymmetricKey, message: [UInt8]) throws -> [UInt8] {
        do {
            var mac = try AES.CMAC(key: key)
            mac.update(data: message)
            return Array(mac.finalize())
        } catch {
            throw CardSecurityError.configuration("AES-CMAC failed: \(error)")
        }
    }

    /// AES-CBC without padding; `plaintext` must be whole blocks.
    static func encryptCBC(_ plaintext: [UInt8], key: SymmetricKey, iv: [UInt8] = zeroBlock) throws -> [UInt8] {
        guard plaintext.count % blockSize == 0 else {
            throw CardSecurityError.malformed("AES-CBC input of \(plaintext.count) bytes is not whole 16-byte blocks")
        }
        do {
            return Array(try AES._CBC.encrypt(plaintext, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        } catch {
            throw CardSecurityError.configuration("AES-CBC encryption failed: \(error)")
        }
    }

    /// AES-CBC without padding; `ciphertext` must be whole blocks.
    static func decryptCBC(_ ciphertext: [UInt8], key: SymmetricKey, iv: [UInt8] = zeroBlock) throws -> [UInt8] {
        guard ciphertext.count % blockSize == 0 else {
            throw CardSecurityError.malformed("AES-CBC input of \(ciphertext.count) bytes is not whole 16-byte blocks")
        }
        do {
            return Array(try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        } catch {
            throw CardSecurityError.configuration("AES-CBC decryption failed: \(error)")
        }
    }

    /// AES-ECB on one block, done as CBC with a zero IV over that single block.
    static func encryptBlock(_ block: [UInt8], key: SymmetricKey) throws -> [UInt8] {
        guard block.count == blockSize else {
            throw CardSecurityError.malformed("AES block must be 16 bytes, got \(block.count)")
        }
        return try encryptCBC(block, key: key)
    }
}
