import Foundation
import KeyDerivation
import Testing

@testable import StoreCore

@Suite("PIN hashing")
struct PINHashingTests {
    /// PBKDF2-HMAC-SHA256 vectors from RFC 7914 §11 and the widely reproduced RFC 6070-style SHA-256 set.
    @Test("PBKDF2-HMAC-SHA256 matches published vectors", arguments: [
        ("password", "salt", 1, 32, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        ("password", "salt", 2, 32, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        ("password", "salt", 4096, 32, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
        ("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 40,
         "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"),
        ("passwd", "salt", 1, 64,
         "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"),
    ])
    func pbkdf2Vectors(password: String, salt: String, iterations: Int, length: Int, expected: String) {
        let derived = PBKDF2.sha256(password: Array(password.utf8), salt: Array(salt.utf8), iterations: iterations, keyByteCount: length)
        #expect(derived.map { String(format: "%02x", $0) }.joined() == expected)
    }

    @Test("a PIN hash uses at least 100 000 iterations and a random salt, and verifies only its PIN")
    func pinHashRoundTrip() throws {
        let first = try PINHash.make(pin: "4821")
        let second = try PINHash.make(pin: "4821")
        #expect(first.iterations >= 100_000)
        #expect(first.salt.count == 16)
        #expect(first.salt != second.salt)
        #expect(first.hash != second.hash)
        let parsed = try #require(PINHash(encoded: first.encoded))
        #expect(parsed.matches(pin: "4821"))
        #expect(!parsed.matches(pin: "4822"))
        #expect(first.encoded.hasPrefix("pbkdf2-sha256$"))
    }

    @Test("stored hashes that are not ours, or too weak, never match", arguments: [
        "", "plain-4821", "pbkdf2-sha256$1000$c2FsdHNhbHQ=$" + Data(repeating: 0, count: 32).base64EncodedString(),
        "pbkdf2-sha256$120000$!!$AAAA", "pbkdf2-sha256$120000$c2FsdHNhbHQ=",
    ])
    func foreignHashes(encoded: String) {
        #expect(PINHash(encoded: encoded) == nil)
    }

    @Test("weak PINs are refused", arguments: ["123", "0000", "1234", "9876", "12a4", "1234567890123", "5555555"])
    func weakPINs(pin: String) {
        let error = #expect(throws: StoreError.self) { try PINHash.make(pin: pin) }
        #expect(error?.code == .weakPIN)
    }
}
