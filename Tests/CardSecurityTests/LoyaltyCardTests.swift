import CardProtocols
import CardSecurity
import Crypto
import Foundation
import Testing

@Suite("Signed loyalty cards")
struct LoyaltyCardTests {
    static let key2025 = SymmetricKey(data: [UInt8](repeating: 0x25, count: 32))
    static let key2026 = SymmetricKey(data: [UInt8](repeating: 0x26, count: 32))
    static let uid = bytes("04A1B2C3D4E5F6")
    static let host = "club.parcours.example"

    func keyring(_ keys: [String: SymmetricKey] = ["k25": key2025], current: String = "k25") throws -> LoyaltyCardKeyring {
        try LoyaltyCardKeyring(keys: keys, currentKeyID: current)
    }

    func verifier(_ keyring: LoyaltyCardKeyring) throws -> LoyaltyCardVerifier {
        try LoyaltyCardVerifier(keyring: keyring, hosts: [Self.host, "www.parcours.example"])
    }

    @Test("the signature is base64url of the first 16 bytes of HMAC-SHA256 over the documented text")
    func schemeByHand() throws {
        let cardID = try LoyaltyCardID(validating: "0123456789AB")
        let url = try LoyaltyCardSigner(keyring: keyring()).makeCardURL(host: Self.host, cardID: cardID, uid: Self.uid)
        let message = "parcours-card-v1|club.parcours.example|0123456789AB|04A1B2C3D4E5F6"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: Self.key2025)
        let signature = Data(mac.prefix(16)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        #expect(signature.count == 22)
        #expect(url == "https://club.parcours.example/c/0123456789AB?k=k25&s=\(signature)")
        #expect(try verifier(keyring()).verify(uri: url, uid: Self.uid) == cardID)
    }

    @Test("fresh card ids: 12 Crockford base32 characters, different every time")
    func cardIDs() throws {
        let signer = try LoyaltyCardSigner(keyring: keyring())
        let ids = (0..<200).map { _ in signer.makeCardID() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.rawValue.count == 12)
            #expect(try LoyaltyCardID(validating: id.rawValue) == id)
            #expect(!id.rawValue.contains { "ILOU".contains($0) })
        }
        // 200 ids × 12 characters use the whole alphabet if the bits are spread evenly.
        #expect(Set(ids.flatMap(\.rawValue)).count == 32)
    }

    @Test("round trip, also when the reader reports the host in upper case")
    func roundTrip() throws {
        let signer = try LoyaltyCardSigner(keyring: keyring())
        let cardID = signer.makeCardID()
        let url = try signer.makeCardURL(host: "Club.Parcours.Example", cardID: cardID, uid: Self.uid)
        #expect(url.hasPrefix("https://club.parcours.example/c/"))
        #expect(try verifier(keyring()).verify(uri: url, uid: Self.uid) == cardID)
        let shouted = url.replacingOccurrences(of: "https://club.parcours.example", with: "HTTPS://CLUB.PARCOURS.EXAMPLE")
        #expect(try verifier(keyring()).verify(uri: shouted, uid: Self.uid) == cardID)
    }

    @Test("copied to another tag: the UID no longer matches")
    func wrongUID() throws {
        let signer = try LoyaltyCardSigner(keyring: keyring())
        let url = try signer.makeCardURL(host: Self.host, cardID: signer.makeCardID(), uid: Self.uid)
        let error = try #require(throws: CardSecurityError.self) {
            try verifier(keyring()).verify(uri: url, uid: bytes("04A1B2C3D4E5F7"))
        }
        #expect(error.code == .badSignature)
        #expect(error.message.contains("copied to another tag"))
    }

    struct Tamper: Sendable, CustomTestStringConvertible {
        enum Edit: Sendable {
            case replace(String, String)
            case append(String)
            case dropLast
            case flipLast
            case cutQuery
        }

        let name: String
        let edit: Edit
        let code: CardSecurityError.Code
        var testDescription: String { name }

        func apply(to url: String) -> String {
            switch edit {
            case .replace(let old, let new): url.replacingOccurrences(of: old, with: new)
            case .append(let suffix): url + suffix
            case .dropLast: String(url.dropLast())
            case .flipLast: String(url.dropLast()) + (url.hasSuffix("A") ? "B" : "A")
            case .cutQuery: String(url.prefix { $0 != "?" })
            }
        }
    }

    static let tampers: [Tamper] = [
        Tamper(name: "card id edited", edit: .replace("/c/0123456789AB", "/c/0123456789AC"), code: .badSignature),
        Tamper(name: "signature edited", edit: .flipLast, code: .badSignature),
        Tamper(name: "signature truncated", edit: .dropLast, code: .malformed),
        Tamper(name: "card id malformed", edit: .replace("/c/0123456789AB", "/c/0123456789AI"), code: .malformed),
        Tamper(name: "card id lower case", edit: .replace("/c/0123456789AB", "/c/0123456789ab"), code: .malformed),
        Tamper(name: "foreign host", edit: .replace("club.parcours.example", "club.other.example"), code: .foreignCard),
        Tamper(name: "moved to another host of ours", edit: .replace("club.parcours.example", "www.parcours.example"),
               code: .badSignature),
        Tamper(name: "unknown key id", edit: .replace("?k=k25", "?k=k99"), code: .unknownKey),
        Tamper(name: "extra parameter", edit: .append("&x=1"), code: .malformed),
        Tamper(name: "parameter twice", edit: .append("&k=k25"), code: .malformed),
        Tamper(name: "no query", edit: .cutQuery, code: .malformed),
        Tamper(name: "http", edit: .replace("https://", "http://"), code: .foreignCard),
        Tamper(name: "other path", edit: .replace("/c/", "/d/"), code: .malformed),
    ]

    @Test("tampering is rejected with the reason", arguments: tampers)
    func tampering(_ tamper: Tamper) throws {
        let cardID = try LoyaltyCardID(validating: "0123456789AB")
        let url = try LoyaltyCardSigner(keyring: keyring()).makeCardURL(host: Self.host, cardID: cardID, uid: Self.uid)
        let edited = tamper.apply(to: url)
        #expect(edited != url, "the edit changed nothing")
        let error = try #require(throws: CardSecurityError.self) { try verifier(keyring()).verify(uri: edited, uid: Self.uid) }
        #expect(error.code == tamper.code, "\(error)")
    }

    @Test("key rotation: old cards verify while their key is kept, new cards use the new key")
    func rotation() throws {
        let oldSigner = try LoyaltyCardSigner(keyring: keyring())
        let oldCard = try oldSigner.makeCardURL(host: Self.host, cardID: oldSigner.makeCardID(), uid: Self.uid)

        let rotated = try keyring(["k25": Self.key2025, "k26": Self.key2026], current: "k26")
        let newSigner = LoyaltyCardSigner(keyring: rotated)
        let newCard = try newSigner.makeCardURL(host: Self.host, cardID: newSigner.makeCardID(), uid: Self.uid)
        #expect(newCard.contains("?k=k26&s="))
        _ = try verifier(rotated).verify(uri: oldCard, uid: Self.uid)
        _ = try verifier(rotated).verify(uri: newCard, uid: Self.uid)

        let retired = try keyring(["k26": Self.key2026], current: "k26")
        #expect(throws: CardSecurityError.unknownKey) { try verifier(retired).verify(uri: oldCard, uid: Self.uid) }
        _ = try verifier(retired).verify(uri: newCard, uid: Self.uid)
        // The id is not the key: a card claiming k26 but signed with k25's key fails.
        let relabelled = oldCard.replacingOccurrences(of: "?k=k25", with: "?k=k26")
        #expect(throws: CardSecurityError.badSignature) { try verifier(rotated).verify(uri: relabelled, uid: Self.uid) }
    }

    @Test("keyring and host rules")
    func configuration() throws {
        #expect(throws: CardSecurityError.configuration) {
            try LoyaltyCardKeyring(keys: ["k1": SymmetricKey(data: [UInt8](repeating: 1, count: 31))], currentKeyID: "k1")
        }
        #expect(throws: CardSecurityError.configuration) { try LoyaltyCardKeyring(keys: ["k1": Self.key2025], currentKeyID: "k2") }
        #expect(throws: CardSecurityError.configuration) { try LoyaltyCardKeyring(keys: ["key-2025!": Self.key2025], currentKeyID: "key-2025!") }
        #expect(throws: CardSecurityError.configuration) { try LoyaltyCardKeyring(keys: ["k123456789": Self.key2025], currentKeyID: "k123456789") }
        let signer = try LoyaltyCardSigner(keyring: keyring())
        let cardID = signer.makeCardID()
        #expect(throws: CardSecurityError.configuration) { try signer.makeCardURL(host: "shop.example/evil", cardID: cardID, uid: Self.uid) }
        #expect(throws: CardSecurityError.configuration) { try signer.makeCardURL(host: "", cardID: cardID, uid: Self.uid) }
        #expect(throws: CardSecurityError.configuration) { try signer.makeCardURL(host: Self.host, cardID: cardID, uid: []) }
        #expect(throws: CardSecurityError.configuration) {
            try signer.makeCardURL(host: String(repeating: "a", count: 81), cardID: cardID, uid: Self.uid)
        }
    }

    @Test("the longest card (80-character host, 8-character key id) fills an NTAG213 exactly")
    func fitsNTAG213() throws {
        #expect(LoyaltyCardSigner.maximumHostLength == 80)
        let keys = try LoyaltyCardKeyring(keys: ["k2026abc": Self.key2026], currentKeyID: "k2026abc")
        let host = String(repeating: "a", count: 70) + ".example12"
        #expect(host.count == 80)
        let signer = LoyaltyCardSigner(keyring: keys)
        let url = try signer.makeCardURL(host: host, cardID: signer.makeCardID(), uid: Self.uid)
        let message = try NDEFMessage(records: [.uri(url)]).serialized()
        let factoryLockControlTLV: [UInt8] = [0x01, 0x03, 0xA0, 0x0C, 0x34]
        let dataArea = try factoryLockControlTLV + Type2TagMemory.dataArea(forNDEF: message, capacity: 144 - 5)
        #expect(dataArea.count == 144)
        #expect(dataArea.last == 0xFE)
        // And what a reader parses back from that NDEF message verifies.
        let readBack = try NDEFMessage(parsing: message).records.first?.uri
        #expect(try LoyaltyCardVerifier(keyring: keys, hosts: [host]).verify(uri: try #require(readBack), uid: Self.uid).rawValue.count == 12)
    }

    @Test("foreign input of any shape gets a typed error, never a crash", arguments: [
        "", "https://", "https:/", "https://club.parcours.example", "https://club.parcours.example/c/",
        "https://club.parcours.example/c/?", "https://club.parcours.example/c/0123456789AB?k", "ftp://x/c/1?k=1&s=2",
        "https://club.parcours.example/c/0123456789AB?k=k25&s=" + String(repeating: "A", count: 600),
        "https://club.parcours.example/c/0123456789AB?&&", "https://club.parcours.example/c/0123456789AB?k=k25&s=éééééééééééééééééééééé",
    ])
    func foreignInput(_ uri: String) throws {
        #expect(throws: CardSecurityError.self) { try verifier(keyring()).verify(uri: uri, uid: Self.uid) }
    }
}
