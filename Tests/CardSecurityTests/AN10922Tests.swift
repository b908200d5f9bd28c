import CardSecurity
import Crypto
import Testing

@Suite("AN10922 key diversification")
struct AN10922Tests {
    @Test("AN10922 §2.2.1 AES-128 example: UID 04782E21801D80, AID 3042F5, system identifier \"NXP Abu\"")
    func publishedVector() throws {
        let diversified = try AN10922.diversifyAES128(
            masterKey: key("00112233445566778899AABBCCDDEEFF"),
            input: bytes("04782E21801D80") + bytes("3042F5") + Array("NXP Abu".utf8))
        #expect(diversified.withUnsafeBytes { Array($0) } == bytes("A8DD63A3B89D54B37CA802473FDA9175"))
    }

    @Test("a 31-byte input takes the unpadded K1 path and differs from its padded neighbours")
    func fullLengthInput() throws {
        let master = key("00112233445566778899AABBCCDDEEFF")
        let full = try AN10922.diversifyAES128(masterKey: master, input: [UInt8](repeating: 0xAA, count: 31))
        let shorter = try AN10922.diversifyAES128(masterKey: master, input: [UInt8](repeating: 0xAA, count: 30))
        #expect(full.bitCount == 128)
        #expect(full != shorter)
    }

    @Test("inputs outside 1–31 bytes are refused", arguments: [0, 32])
    func inputLength(_ length: Int) {
        #expect(throws: CardSecurityError.configuration) {
            try AN10922.diversifyAES128(masterKey: key("00112233445566778899AABBCCDDEEFF"),
                                        input: [UInt8](repeating: 1, count: length))
        }
    }
}
