import CardProtocols
import CardSecurity
import Crypto
import Foundation
import Testing

@Suite("SUN verification")
struct SUNVerifierTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let url: String
        let layout: SUNURLLayout
        let metaKey: String
        let fileKey: String
        let uid: String
        let counter: UInt32
        let fileData: [UInt8]?
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        // AN12196 p.12: PICC data and MAC only, MAC over empty input.
        Vector(
            name: "AN12196 sun1 (p.12)",
            url: "https://ntag.nxp.com/424?e=EF963FF7828658A599F3041510671E88&c=94EED9EE65337086",
            layout: try! SUNURLLayout.queryParameters(piccData: "e", mac: "c"),
            metaKey: "00000000000000000000000000000000", fileKey: "00000000000000000000000000000000",
            uid: "04DE5F1EACC040", counter: 61, fileData: nil),
        // AN12196 p.18: with encrypted file data, MAC over "<enc>&cmac=".
        Vector(
            name: "AN12196 sun2 (p.18)",
            url: "https://www.my424dna.com/?picc_data=FD91EC264309878BE6345CBE53BADF40&enc=CEE9A53E3E463EF1F459635736738962&cmac=ECC1E7F6C6C73BF6",
            layout: try! SUNURLLayout.queryParameters(piccData: "picc_data", fileData: "enc", mac: "cmac"),
            metaKey: "00000000000000000000000000000000", fileKey: "00000000000000000000000000000000",
            uid: "04958CAA5C5E80", counter: 8, fileData: Array("xxxxxxxxxxxxxxxx".utf8)),
        // nfc-developer/sdm-backend test_sun3_custom: non-zero keys, MAC right after the file data,
        // so the MAC input is the file data hex alone; read with fixed offsets.
        Vector(
            name: "sdm-backend sun3 custom keys, offsets",
            url: "https://t.example/?e=8ACADDEF0A9B62CDAE39A16B83FC14DE&d=B8436E11F627BB7F543FCC0C1E0D1A89238B2543A8DEBAD8",
            layout: try! SUNURLLayout(
                picc: .encrypted(.offset(21)), fileData: .init(location: .offset(56), hexLength: 32),
                mac: .offset(88), macInputStart: .component(.fileData)),
            metaKey: "42AFF114F2CB3B6141BE6DC95DFC5416", fileKey: "B62A9BAF092439BD43C62AEE96B970C5",
            uid: "041D3C8A2D6B80", counter: 291, fileData: bytes("4E545858716E6F5F6F42467077792D56")),
        // nfc-developer/sdm-backend test_plain_sdm: plain UID and counter mirrors.
        Vector(
            name: "sdm-backend plain mirror",
            url: "https://t.example/?uid=041E3C8A2D6B80&ctr=000006&cmac=4B00064004B0B3D3",
            layout: try! SUNURLLayout(
                picc: .plain(uid: .parameter("uid"), counter: .parameter("ctr")),
                mac: .parameter("cmac"), macInputStart: .component(.mac)),
            metaKey: "00000000000000000000000000000000", fileKey: "00000000000000000000000000000000",
            uid: "041E3C8A2D6B80", counter: 6, fileData: nil),
    ]

    func verifier(_ vector: Vector, store: any SUNCounterStore = InMemorySUNCounterStore()) throws -> SUNVerifier {
        try SUNVerifier(
            layout: vector.layout,
            keys: .fixed(metaReadKey: key(vector.metaKey), fileReadKey: key(vector.fileKey)),
            counterStore: store)
    }

    @Test("published vectors verify", arguments: vectors)
    func publishedVectors(_ vector: Vector) async throws {
        let result = try await verifier(vector).verify(url: vector.url)
        #expect(result.uid == bytes(vector.uid))
        #expect(result.counter == vector.counter)
        #expect(result.fileData == vector.fileData)
    }

    @Test("AN12196 sun2 with the wrong cmac 3CC1E7F6C6C33B33 is rejected")
    func wrongMAC() async throws {
        let vector = Self.vectors[1]
        let url = vector.url.replacingOccurrences(of: "ECC1E7F6C6C73BF6", with: "3CC1E7F6C6C33B33")
        let error = try await #require(throws: CardSecurityError.self) { try await verifier(vector).verify(url: url) }
        #expect(error.code == .badSignature)
        #expect(error.message == "MAC mismatch: URL edited or wrong key")
    }

    @Test("an edited file data block fails the MAC")
    func editedFileData() async throws {
        let vector = Self.vectors[1]
        let url = vector.url.replacingOccurrences(of: "enc=CEE9", with: "enc=CEE8")
        await #expect(throws: CardSecurityError.badSignature) { try await verifier(vector).verify(url: url) }
    }

    @Test("the wrong file read key fails the MAC; the wrong meta key fails the PICCDataTag")
    func wrongKeys() throws {
        let vector = Self.vectors[0]
        let wrongFile = try SUNVerifier(
            layout: vector.layout, keys: .fixed(metaReadKey: zeroKey, fileReadKey: key("00000000000000000000000000000001")),
            counterStore: InMemorySUNCounterStore())
        #expect(throws: CardSecurityError.badSignature) { try wrongFile.authenticate(url: vector.url) }
        let wrongMeta = try SUNVerifier(
            layout: vector.layout, keys: .fixed(metaReadKey: key("00000000000000000000000000000001"), fileReadKey: zeroKey),
            counterStore: InMemorySUNCounterStore())
        let error = try #require(throws: CardSecurityError.self) { try wrongMeta.authenticate(url: vector.url) }
        #expect(error.code == .badSignature)
        #expect(error.message.contains("expected C7"))
    }

    @Test("the same URL twice is a replay")
    func replay() async throws {
        let vector = Self.vectors[0]
        let sunVerifier = try verifier(vector)
        _ = try await sunVerifier.verify(url: vector.url)
        let error = try await #require(throws: CardSecurityError.self) { try await sunVerifier.verify(url: vector.url) }
        #expect(error.code == .replayedCounter)
        #expect(error.message == "counter 61 is not above the last seen 61 for UID 04DE5F1EACC040: replayed or cloned tag")
    }

    @Test("a lower counter after a higher one is rejected; authenticate alone does not consult the store")
    func lowerCounter() async throws {
        let vector = Self.vectors[0]
        let store = InMemorySUNCounterStore()
        #expect(await store.advance(uid: bytes(vector.uid), to: 100))
        let sunVerifier = try verifier(vector, store: store)
        #expect(try sunVerifier.authenticate(url: vector.url).counter == 61)
        await #expect(throws: CardSecurityError.replayedCounter) { try await sunVerifier.verify(url: vector.url) }
        #expect(await store.lastCounter(uid: bytes(vector.uid)) == 100)
    }

    @Test("a URL that does not fit the layout is malformed, with the layout's reason")
    func malformed() async throws {
        let vector = Self.vectors[0]
        let error = try await #require(throws: CardSecurityError.self) {
            try await verifier(vector).verify(url: "https://ntag.nxp.com/424?e=EF963FF7828658A599F3041510671E88")
        }
        #expect(error.code == .malformed)
        #expect(error.message == "SUN URL: parameter c missing")
    }

    @Test("keys that are not AES-128 are a configuration error")
    func keySizes() throws {
        let layout = Self.vectors[0].layout
        #expect(throws: CardSecurityError.configuration) {
            try SUNVerifier(layout: layout, keys: .fixed(metaReadKey: SymmetricKey(size: .bits256), fileReadKey: zeroKey),
                            counterStore: InMemorySUNCounterStore())
        }
        #expect(throws: CardSecurityError.configuration) {
            try SUNVerifier(layout: layout,
                            keys: .diversified(masterMetaKey: zeroKey, masterFileKey: zeroKey,
                                               systemIdentifier: [UInt8](repeating: 1, count: 25)),
                            counterStore: InMemorySUNCounterStore())
        }
    }

    @Test("concurrent taps with the same counter: exactly one is accepted")
    func concurrentAdvance() async throws {
        let store = InMemorySUNCounterStore()
        let uid = bytes("04DE5F1EACC040")
        let accepted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask { await store.advance(uid: uid, to: 7) }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(accepted == 1)
    }
}
