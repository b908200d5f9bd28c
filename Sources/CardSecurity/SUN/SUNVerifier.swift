import CardProtocols
import Crypto

/// Verifies the URLs an NTAG 424 DNA serves with Secure Unique NFC (SDM, AES mode): decrypts the
/// PICCData, checks the MAC in constant time, decrypts the file data, and rejects counters that do
/// not move forward.
public struct SUNVerifier: Sendable {
    public let layout: SUNURLLayout
    public let keys: SUNKeys
    public let counterStore: any SUNCounterStore

    /// - Throws: ``CardSecurityError`` `.configuration` for keys that are not AES-128 or a system
    ///   identifier too long for AN10922.
    public init(layout: SUNURLLayout, keys: SUNKeys, counterStore: any SUNCounterStore) throws {
        try keys.validate()
        self.layout = layout
        self.keys = keys
        self.counterStore = counterStore
    }

    /// Authenticates `url` and records its counter.
    ///
    /// - Throws: ``CardSecurityError``: `.malformed` (URL does not match the layout), `.badSignature`
    ///   ("MAC mismatch: URL edited or wrong key"), `.replayedCounter` (counter not above the last one
    ///   seen for the UID).
    public func verify(url: String) async throws -> SUNVerification {
        let verification = try authenticate(url: url)
        guard try await counterStore.advance(uid: verification.uid, to: verification.counter) else {
            let last = try await counterStore.lastCounter(uid: verification.uid)
            let lastText = last.map { "the last seen \($0)" } ?? "the last seen counter"
            throw CardSecurityError.replayedCounter(
                "counter \(verification.counter) is not above \(lastText) for UID \(Hex.encode(verification.uid)): "
                    + "replayed or cloned tag")
        }
        return verification
    }

    /// Checks the cryptography of `url` only, leaving the counter store alone: for diagnostics and
    /// for callers that keep counters their own way. Anyone holding an old URL passes this check.
    public func authenticate(url: String) throws -> SUNVerification {
        let parts: SUNURLParts
        do {
            parts = try layout.extract(from: url)
        } catch let error as CardProtocolError {
            throw CardSecurityError.malformed("SUN URL: \(error.message)")
        }

        let uid: [UInt8]
        let counter: UInt32
        switch parts.picc {
        case .encrypted(let ciphertext):
            let plaintext = try AES128.decryptCBC(ciphertext, key: keys.metaReadKey)
            guard plaintext.count == AES128.blockSize, plaintext[0] == SUNSession.piccDataTag else {
                let tag = plaintext.first.map { Hex.encode([$0]) } ?? "none"
                throw CardSecurityError.badSignature(
                    "PICCDataTag is \(tag), expected C7 (UID and counter mirrored, 7-byte UID): "
                        + "wrong meta read key, altered PICC data, or a tag mirroring less")
            }
            uid = Array(plaintext[1...7])
            counter = UInt32(plaintext[8]) | UInt32(plaintext[9]) << 8 | UInt32(plaintext[10]) << 16
        case .plain(let plainUID, let plainCounter):
            uid = plainUID
            counter = plainCounter
        }

        let session = SUNSession(uid: uid, counter: counter, fileReadKey: try keys.fileReadKey(uid: uid))
        let expectedMAC = try session.truncatedMAC(over: parts.macInput)
        guard constantTimeEquals(expectedMAC, parts.mac) else {
            throw CardSecurityError.badSignature("MAC mismatch: URL edited or wrong key")
        }

        let fileData = try parts.encryptedFileData.map { try session.decryptFileData($0) }
        return SUNVerification(uid: uid, counter: counter, fileData: fileData)
    }
}
