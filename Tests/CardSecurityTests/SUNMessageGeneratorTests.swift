import CardProtocols
import CardSecurity
import Crypto
import CryptoExtras
import Foundation
import Testing

@Suite("SUN message generation")
struct SUNMessageGeneratorTests {
    static let uid = bytes("04958CAA5C5E80")
    static let fixedKeys = SUNKeys.fixed(
        metaReadKey: key("A0A1A2A3A4A5A6A7A8A9AAABACADAEAF"), fileReadKey: key("B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF"))
    static let diversifiedKeys = SUNKeys.diversified(
        masterMetaKey: key("C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF"), masterFileKey: key("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"),
        systemIdentifier: Array("Parcours".utf8))

    /// The 5 random bytes a real tag put after the counter, recovered by decrypting its PICCData.
    func padding(ofPICCData hex: String, metaKey: SymmetricKey) throws -> [UInt8] {
        let plaintext = try AES._CBC.decrypt(
            bytes(hex), using: metaKey, iv: AES._CBC.IV(ivBytes: [UInt8](repeating: 0, count: 16)), noPadding: true)
        return Array(plaintext.suffix(5))
    }

    @Test("reproduces AN12196 sun2 byte for byte given the tag's padding")
    func reproducesSun2() throws {
        let template = try SUNURLTemplate(
            "https://www.my424dna.com/?picc_data={picc}&enc={file}&cmac={mac}",
            macInputStart: .component(.fileData), fileDataLength: 16)
        let generator = try SUNMessageGenerator(template: template, keys: .fixed(metaReadKey: zeroKey, fileReadKey: zeroKey))
        let url = try generator.makeURL(
            uid: Self.uid, counter: 8, fileData: Array("xxxxxxxxxxxxxxxx".utf8),
            piccPadding: padding(ofPICCData: "FD91EC264309878BE6345CBE53BADF40", metaKey: zeroKey))
        #expect(url == "https://www.my424dna.com/?picc_data=FD91EC264309878BE6345CBE53BADF40&enc=CEE9A53E3E463EF1F459635736738962&cmac=ECC1E7F6C6C73BF6")
    }

    @Test("reproduces AN12196 sun1 byte for byte given the tag's padding")
    func reproducesSun1() throws {
        let template = try SUNURLTemplate("https://ntag.nxp.com/424?e={picc}&c={mac}", macInputStart: .component(.mac))
        let generator = try SUNMessageGenerator(template: template, keys: .fixed(metaReadKey: zeroKey, fileReadKey: zeroKey))
        let url = try generator.makeURL(
            uid: bytes("04DE5F1EACC040"), counter: 61, fileData: nil,
            piccPadding: padding(ofPICCData: "EF963FF7828658A599F3041510671E88", metaKey: zeroKey))
        #expect(url == "https://ntag.nxp.com/424?e=EF963FF7828658A599F3041510671E88&c=94EED9EE65337086")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let template: String
        let macInputStart: SUNURLLayout.MACInputStart
        let fileDataLength: Int
        /// A layout by parameter name that reads the same URLs, when the template has one.
        let byName: SUNURLLayout?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "picc + cmac", template: "https://shop.example/t?picc_data={picc}&cmac={mac}",
             macInputStart: .component(.mac), fileDataLength: 0,
             byName: try! .queryParameters(piccData: "picc_data", mac: "cmac")),
        Case(name: "short names with file data", template: "https://p.example/?e={picc}&d={file}&m={mac}",
             macInputStart: .component(.fileData), fileDataLength: 32,
             byName: try! .queryParameters(piccData: "e", fileData: "d", mac: "m")),
        Case(name: "path mirrors, MAC over the whole URL from offset 0", template: "https://p.example/c/{picc}/{file}/{mac}",
             macInputStart: .offset(0), fileDataLength: 16, byName: nil),
        Case(name: "plain UID and counter", template: "https://p.example/?uid={uid}&ctr={ctr}&cmac={mac}",
             macInputStart: .component(.uid), fileDataLength: 0,
             byName: try! SUNURLLayout(picc: .plain(uid: .parameter("uid"), counter: .parameter("ctr")),
                                       mac: .parameter("cmac"), macInputStart: .component(.uid))),
    ]

    @Test("generator → verifier round trip, fixed and diversified keys", arguments: cases, [fixedKeys, diversifiedKeys])
    func roundTrip(_ testCase: Case, keys: SUNKeys) async throws {
        let template = try SUNURLTemplate(
            testCase.template, macInputStart: testCase.macInputStart, fileDataLength: testCase.fileDataLength)
        let generator = try SUNMessageGenerator(template: template, keys: keys)
        let fileData: [UInt8]? =
            testCase.fileDataLength == 0 ? nil : (0..<testCase.fileDataLength).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var layouts = [template.layout]
        if let byName = testCase.byName { layouts.append(byName) }

        for layout in layouts {
            let verifier = try SUNVerifier(layout: layout, keys: keys, counterStore: InMemorySUNCounterStore())
            for counter: UInt32 in [1, 2, 0xFF_FFFF] {
                let url = try generator.makeURL(uid: Self.uid, counter: counter, fileData: fileData)
                let result = try await verifier.verify(url: url)
                #expect(result == SUNVerification(uid: Self.uid, counter: counter, fileData: fileData))
            }
            let replayed = try generator.makeURL(uid: Self.uid, counter: 2, fileData: fileData)
            await #expect(throws: CardSecurityError.replayedCounter) { try await verifier.verify(url: replayed) }
        }
    }

    @Test("each read encrypts differently because of the tag's random padding")
    func randomPadding() throws {
        let template = try SUNURLTemplate("https://p.example/?e={picc}&m={mac}", macInputStart: .component(.mac))
        let generator = try SUNMessageGenerator(template: template, keys: Self.fixedKeys)
        let first = try generator.makeURL(uid: Self.uid, counter: 5)
        let second = try generator.makeURL(uid: Self.uid, counter: 5)
        #expect(first != second)
    }

    @Test("diversified keys: each tag's file key differs, so the master file key alone fails the MAC")
    func diversificationMatters() throws {
        let template = try SUNURLTemplate("https://p.example/?e={picc}&m={mac}", macInputStart: .component(.mac))
        let url = try SUNMessageGenerator(template: template, keys: Self.diversifiedKeys).makeURL(uid: Self.uid, counter: 3)
        let undiversified = try SUNVerifier(
            layout: template.layout,
            keys: .fixed(metaReadKey: key("C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF"), fileReadKey: key("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")),
            counterStore: InMemorySUNCounterStore())
        #expect(throws: CardSecurityError.badSignature) { try undiversified.authenticate(url: url) }
        let tagKey = try Self.diversifiedKeys.fileReadKey(uid: Self.uid)
        let otherTagKey = try Self.diversifiedKeys.fileReadKey(uid: bytes("04958CAA5C5E81"))
        #expect(tagKey != otherTagKey)
    }

    @Test("bad generator inputs are configuration errors")
    func badInputs() throws {
        let template = try SUNURLTemplate("https://p.example/?e={picc}&d={file}&m={mac}",
                                          macInputStart: .component(.fileData), fileDataLength: 16)
        let generator = try SUNMessageGenerator(template: template, keys: Self.fixedKeys)
        #expect(throws: CardSecurityError.configuration) { try generator.makeURL(uid: [1, 2, 3], counter: 1, fileData: [UInt8](repeating: 0, count: 16)) }
        #expect(throws: CardSecurityError.configuration) { try generator.makeURL(uid: Self.uid, counter: 0x100_0000, fileData: [UInt8](repeating: 0, count: 16)) }
        #expect(throws: CardSecurityError.configuration) { try generator.makeURL(uid: Self.uid, counter: 1, fileData: nil) }
        #expect(throws: CardSecurityError.configuration) { try generator.makeURL(uid: Self.uid, counter: 1, fileData: [1]) }
    }

    @Test("templates are checked when created", arguments: [
        ("https://p/?e={picc}", "{mac} is missing"),
        ("https://p/?e={picc}&u={uid}&c={ctr}&m={mac}", "needs either {picc} or both {uid} and {ctr}"),
        ("https://p/?u={uid}&m={mac}", "needs either {picc} or both {uid} and {ctr}"),
        ("https://p/?e={picc}&m={mac}&n={mac}", "{mac} appears more than once"),
        ("https://p/?e={picc}&m={mac}&x={foo}", "unknown placeholder {foo}"),
        ("https://p/?e={picc}&m={mac", "is never closed"),
        ("https://p/?e={picc}&d={file}&m={mac}", "file data length 0 must be a positive multiple of 16 bytes"),
    ])
    func templateRules(_ text: String, _ message: String) {
        let error = #expect(throws: CardProtocolError.self) {
            try SUNURLTemplate(text, macInputStart: .component(.mac))
        }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test("a template whose file data lies outside the MAC input is refused")
    func fileDataOutsideMAC() {
        let error = #expect(throws: CardProtocolError.self) {
            try SUNURLTemplate("https://p/?e={picc}&m={mac}&d={file}", macInputStart: .component(.mac), fileDataLength: 16)
        }
        #expect(error?.message.contains("outside the MAC input") == true)
    }
}
