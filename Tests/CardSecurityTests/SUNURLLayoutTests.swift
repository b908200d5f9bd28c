import CardProtocols
import Foundation
import Testing

@Suite("SUN URL layout")
struct SUNURLLayoutTests {
    static let sun2URL =
        "https://www.my424dna.com/?picc_data=FD91EC264309878BE6345CBE53BADF40&enc=CEE9A53E3E463EF1F459635736738962&cmac=ECC1E7F6C6C73BF6"

    @Test("parameters: PICC data, file data, MAC and the MAC input `enc&cmac=`")
    func extractsByParameterName() throws {
        let layout = try SUNURLLayout.queryParameters(piccData: "picc_data", fileData: "enc", mac: "cmac")
        let parts = try layout.extract(from: Self.sun2URL)
        #expect(parts.picc == .encrypted(bytes("FD91EC264309878BE6345CBE53BADF40")))
        #expect(parts.encryptedFileData == bytes("CEE9A53E3E463EF1F459635736738962"))
        #expect(parts.mac == bytes("ECC1E7F6C6C73BF6"))
        #expect(String(decoding: parts.macInput, as: UTF8.self) == "CEE9A53E3E463EF1F459635736738962&cmac=")
    }

    @Test("PICC data and MAC only: the MAC input is empty")
    func emptyMACInput() throws {
        let layout = try SUNURLLayout.queryParameters(piccData: "e", mac: "c")
        let parts = try layout.extract(from: "https://ntag.nxp.com/424?e=EF963FF7828658A599F3041510671E88&c=94EED9EE65337086")
        #expect(parts.macInput.isEmpty)
        #expect(parts.mac == bytes("94EED9EE65337086"))
        #expect(parts.encryptedFileData == nil)
    }

    @Test("fixed offsets find the same fields as parameter names")
    func extractsByOffset() throws {
        let url = Self.sun2URL
        func offset(of marker: String) -> Int {
            url.utf8.count - (url.range(of: marker).map { url[$0.upperBound...].utf8.count } ?? 0)
        }
        let layout = try SUNURLLayout(
            picc: .encrypted(.offset(offset(of: "picc_data="))),
            fileData: .init(location: .offset(offset(of: "enc=")), hexLength: 32),
            mac: .offset(offset(of: "cmac=")),
            macInputStart: .component(.fileData)
        )
        let byName = try SUNURLLayout.queryParameters(piccData: "picc_data", fileData: "enc", mac: "cmac")
        #expect(try layout.extract(from: url) == byName.extract(from: url))
    }

    @Test("plain mirrors: counter printed most significant byte first")
    func plainMirror() throws {
        let layout = try SUNURLLayout(
            picc: .plain(uid: .parameter("uid"), counter: .parameter("ctr")),
            mac: .parameter("m"),
            macInputStart: .component(.uid)
        )
        let parts = try layout.extract(from: "https://p.example/?uid=041E3C8A2D6B80&ctr=00012C&m=4B00064004B0B3D3")
        #expect(parts.picc == .plain(uid: bytes("041E3C8A2D6B80"), counter: 300))
        #expect(String(decoding: parts.macInput, as: UTF8.self) == "041E3C8A2D6B80&ctr=00012C&m=")
    }

    struct BadURL: Sendable, CustomTestStringConvertible {
        let url: String
        let code: CardProtocolError.Code
        let message: String
        var testDescription: String { message }
    }

    static let base = "https://s.example/t?picc_data="
    static let picc = "EF963FF7828658A599F3041510671E88"

    @Test("rejections name what is missing or malformed", arguments: [
        BadURL(url: "\(base)\(picc)", code: .malformed, message: "parameter cmac missing"),
        BadURL(url: "https://s.example/t?cmac=94EED9EE65337086", code: .malformed, message: "parameter picc_data missing"),
        BadURL(url: "https://s.example/t", code: .malformed, message: "parameter picc_data missing"),
        BadURL(url: "\(base)\(picc.dropLast(2))&cmac=94EED9EE65337086", code: .invalidValue,
               message: "picc_data must be 32 hex characters, got 30"),
        BadURL(url: "\(base)\(picc)&cmac=94EED9EE6533708", code: .invalidValue,
               message: "cmac must be 16 hex characters, got 15"),
        BadURL(url: "\(base)\(picc)&cmac=94EED9EE6533708G", code: .invalidValue,
               message: "cmac must be hex, found byte 0x47 at offset"),
        BadURL(url: "\(base)\(picc)&cmac=94EED9EE65337086&picc_data=\(picc)", code: .malformed,
               message: "parameter picc_data appears twice"),
        BadURL(url: "\(base)\(picc)\(picc.prefix(16))&cmac=94EED9EE65337086", code: .unsupported,
               message: "LRP mode, which is not supported"),
        BadURL(url: "\(base)\(picc)&cmac=94EED9EE65337086&pad=" + String(repeating: "a", count: 3000),
               code: .limitExceeded, message: "a SUN URL is at most 2048"),
        BadURL(url: "\(base)\(picc)#&cmac=94EED9EE65337086", code: .malformed, message: "parameter cmac missing"),
    ])
    func rejections(_ bad: BadURL) throws {
        let layout = try SUNURLLayout.queryParameters(piccData: "picc_data", mac: "cmac")
        let error = try #require(throws: CardProtocolError.self) { try layout.extract(from: bad.url) }
        #expect(error.code == bad.code)
        #expect(error.message.contains(bad.message), "\(error.message)")
    }

    @Test("file data must be whole AES blocks and lie inside the MAC input")
    func fileDataRules() throws {
        let layout = try SUNURLLayout.queryParameters(piccData: "p", fileData: "f", mac: "m")
        let short = try #require(throws: CardProtocolError.self) {
            try layout.extract(from: "https://x/?p=\(Self.picc)&f=ABCD&m=94EED9EE65337086")
        }
        #expect(short.message == "f must be a positive multiple of 32 hex characters, got 4")
        // The file data after the MAC would not be covered by it.
        let uncovered = try #require(throws: CardProtocolError.self) {
            try layout.extract(from: "https://x/?p=\(Self.picc)&m=94EED9EE65337086&f=\(Self.picc)")
        }
        #expect(uncovered.message.contains("after the MAC"))
        let offsets = try SUNURLLayout(
            picc: .encrypted(.offset(0)), fileData: .init(location: .offset(32), hexLength: 32),
            mac: .offset(80), macInputStart: .component(.mac))
        let outside = try #require(throws: CardProtocolError.self) {
            try offsets.extract(from: String(repeating: "A", count: 96))
        }
        #expect(outside.message.contains("lies outside the MAC input"))
    }

    @Test("fixed offsets past the end or on top of each other are rejected")
    func offsetRules() throws {
        let layout = try SUNURLLayout(picc: .encrypted(.offset(10)), mac: .offset(40), macInputStart: .component(.mac))
        let short = try #require(throws: CardProtocolError.self) {
            try layout.extract(from: String(repeating: "0", count: 30))
        }
        #expect(short.code == .truncated)
        #expect(short.message == "PICC data at offset 10 expected at characters 10..<42 but the URL has only 30")
        let overlapping = try #require(throws: CardProtocolError.self) {
            try layout.extract(from: String(repeating: "0", count: 60))
        }
        #expect(overlapping.message == "the PICC data and the MAC overlap in the URL")
    }

    @Test("contradictory configurations are refused up front")
    func configurationRules() {
        #expect(throws: CardProtocolError.invalidValue) {
            try SUNURLLayout(picc: .encrypted(.parameter("x")), mac: .parameter("x"), macInputStart: .component(.mac))
        }
        #expect(throws: CardProtocolError.invalidValue) {
            try SUNURLLayout(picc: .encrypted(.parameter("p")), mac: .parameter("m"), macInputStart: .component(.fileData))
        }
        #expect(throws: CardProtocolError.invalidValue) {
            try SUNURLLayout(picc: .encrypted(.offset(0)), fileData: .init(location: .offset(40)),
                             mac: .offset(80), macInputStart: .component(.fileData))
        }
        #expect(throws: CardProtocolError.invalidValue) {
            try SUNURLLayout(picc: .encrypted(.offset(-1)), mac: .offset(80), macInputStart: .component(.mac))
        }
        #expect(throws: CardProtocolError.invalidValue) {
            try SUNURLLayout(picc: .encrypted(.parameter("p")), mac: .parameter("m"), macInputStart: .component(.uid))
        }
    }

    @Test("a layout survives JSON and is validated when decoded")
    func codable() throws {
        let layout = try SUNURLLayout.queryParameters(piccData: "e", fileData: "d", mac: "c")
        let decoded = try JSONDecoder().decode(SUNURLLayout.self, from: JSONEncoder().encode(layout))
        #expect(decoded == layout)
        let json = #"{"picc":{"encrypted":{"_0":{"parameter":{"_0":"p"}}}},"mac":{"parameter":{"_0":"m"}},"macInputStart":{"component":{"_0":"fileData"}}}"#
        #expect(throws: CardProtocolError.invalidValue) {
            try JSONDecoder().decode(SUNURLLayout.self, from: Data(json.utf8))
        }
    }
}
