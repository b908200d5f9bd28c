import Crypto
import Foundation
import SyncProtocol
import Testing

@Suite("Signed sync requests and store credentials")
struct RequestSignatureTests {
    let credential = StoreCredential(storeId: "paris-01")
    let body = Data(#"{"storeId":"paris-01","events":[]}"#.utf8)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a signed request verifies against the store's public key")
    func verifies() throws {
        let headers = try RequestSignature.sign(method: "POST", pathAndQuery: "/v1/sync/push", body: body, credential: credential, now: now)
        try RequestSignature.verify(method: "POST", pathAndQuery: "/v1/sync/push", body: body, headers: headers,
                                    publicKey: credential.privateKey.publicKey, now: now.addingTimeInterval(10))
    }

    @Test("an altered body, path, method or store fails the signature")
    func altered() throws {
        let headers = try RequestSignature.sign(method: "POST", pathAndQuery: "/v1/sync/push", body: body, credential: credential, now: now)
        let key = credential.privateKey.publicKey
        #expect(throws: RequestSignature.Failure.badSignature) {
            try RequestSignature.verify(method: "POST", pathAndQuery: "/v1/sync/push", body: Data(#"{"storeId":"paris-02","events":[]}"#.utf8),
                                        headers: headers, publicKey: key, now: now)
        }
        #expect(throws: RequestSignature.Failure.badSignature) {
            try RequestSignature.verify(method: "POST", pathAndQuery: "/v1/sync/changes", body: body, headers: headers, publicKey: key, now: now)
        }
        #expect(throws: RequestSignature.Failure.badSignature) {
            try RequestSignature.verify(method: "PUT", pathAndQuery: "/v1/sync/push", body: body, headers: headers, publicKey: key, now: now)
        }
        var otherStore = headers
        otherStore.storeId = "lyon-01"
        #expect(throws: RequestSignature.Failure.badSignature) {
            try RequestSignature.verify(method: "POST", pathAndQuery: "/v1/sync/push", body: body, headers: otherStore, publicKey: key, now: now)
        }
        #expect(throws: RequestSignature.Failure.badSignature) {
            try RequestSignature.verify(method: "POST", pathAndQuery: "/v1/sync/push", body: body, headers: headers,
                                        publicKey: StoreCredential(storeId: "paris-01").privateKey.publicKey, now: now)
        }
    }

    @Test("a timestamp more than five minutes away is refused as stale, with the skew")
    func stale() throws {
        let headers = try RequestSignature.sign(method: "GET", pathAndQuery: "/v1/sync/changes", body: Data(), credential: credential, now: now)
        #expect(throws: RequestSignature.Failure.stale(skewSeconds: 301)) {
            try RequestSignature.verify(method: "GET", pathAndQuery: "/v1/sync/changes", body: Data(), headers: headers,
                                        publicKey: credential.privateKey.publicKey, now: now.addingTimeInterval(301))
        }
    }

    @Test("missing or malformed headers are named")
    func headers() throws {
        #expect(throws: RequestSignature.Failure.missingHeader(RequestSignature.storeHeader)) {
            _ = try RequestSignature.headers { _ in nil }
        }
        #expect(throws: RequestSignature.Failure.malformed("\(RequestSignature.timestampHeader) must be Unix seconds")) {
            _ = try RequestSignature.headers { name in name == RequestSignature.timestampHeader ? "yesterday" : "paris-01" }
        }
    }

    @Test("a credential survives its text form, and a damaged one is refused with the reason")
    func credentialText() throws {
        let parsed = try StoreCredential(parsing: credential.text)
        #expect(parsed.storeId == "paris-01")
        #expect(parsed.publicKeyText == credential.publicKeyText)
        for (text, reason) in [("paris-01", "looks like"), ("parcours-store-1.bad id.AAAA", "store id"),
                               ("parcours-store-1.paris-01.tooShort", "32-byte")] {
            let error = #expect(throws: SyncProtocolError.self) { try StoreCredential(parsing: text) }
            #expect(error?.description.contains(reason) == true, "\(error?.description ?? "")")
        }
    }
}
