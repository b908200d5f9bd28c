import CardProtocols
import Crypto
import Foundation

/// The reader side of the companion app challenge–response: checks the app's AUTHENTICATE answer
/// against the challenge this reader sent and the device's enrolled public key.
///
/// Replay: each tap gets a fresh random challenge, so an answer recorded earlier carries a signature
/// over another challenge and fails. On top of that the verifier remembers the last
/// ``challengeMemory`` challenges it checked and refuses any of them a second time. Share one
/// verifier per reader process so the memory is shared.
public struct CompanionAppVerifier: Sendable {
    public static let defaultChallengeMemory = 4096

    public let challengeMemory: Int
    private let challengeLog: CompanionAppChallengeLog

    public init(challengeMemory: Int = Self.defaultChallengeMemory) {
        self.challengeMemory = challengeMemory
        self.challengeLog = CompanionAppChallengeLog(capacity: challengeMemory)
    }

    /// - Parameters:
    ///   - response: The app's whole response APDU to AUTHENTICATE, data and status word.
    ///   - challenge: The 16 bytes this reader sent.
    ///   - readerContext: The 16 bytes this reader sent (``CompanionAppProtocol/readerContext(storeID:deviceName:)``).
    ///   - keyLookup: The enrolled public key of a device id, `nil` when none is enrolled.
    /// - Returns: The authenticated device.
    /// - Throws: ``CardSecurityError``: `.deviceRefused` (error status: not enrolled, locked…),
    ///   `.malformed` (truncated or overlong answer), `.replayedChallenge`, `.unknownDevice`,
    ///   `.badSignature`, `.configuration` (challenge or context of the wrong size).
    public func verify(
        response: [UInt8], challenge: [UInt8], readerContext: [UInt8],
        keyLookup: (AppDeviceID) async throws -> P256.Signing.PublicKey?
    ) async throws -> AppDeviceID {
        let parsed: ResponseAPDU
        do {
            parsed = try ResponseAPDU(parsing: response)
        } catch {
            throw CardSecurityError.malformed("companion app answer: \(error.message)")
        }
        return try await verify(
            response: parsed, challenge: challenge, readerContext: readerContext, keyLookup: keyLookup)
    }

    /// As the byte-array variant, with the response already parsed.
    public func verify(
        response: ResponseAPDU, challenge: [UInt8], readerContext: [UInt8],
        keyLookup: (AppDeviceID) async throws -> P256.Signing.PublicKey?
    ) async throws -> AppDeviceID {
        try CompanionAppProtocol.checkLengths(challenge: challenge, readerContext: readerContext)
        guard response.status.isSuccess else {
            throw CardSecurityError.deviceRefused(CompanionAppProtocol.refusalReason(response.status))
        }
        guard response.data.count == CompanionAppProtocol.authenticateAnswerLength else {
            throw CardSecurityError.malformed(
                "AUTHENTICATE answer must be \(CompanionAppProtocol.authenticateAnswerLength) bytes "
                    + "(device id 16 + signature 64), got \(response.data.count)")
        }
        // One challenge, one attempt: it is used up even if the answer then fails.
        guard await challengeLog.use(challenge) else {
            throw CardSecurityError.replayedChallenge("challenge \(Hex.encode(challenge)) was already answered")
        }
        let deviceID = try AppDeviceID(bytes: Array(response.data.prefix(CompanionAppProtocol.deviceIDLength)))
        guard let publicKey = try await keyLookup(deviceID) else {
            throw CardSecurityError.unknownDevice("device \(deviceID) has no enrolled key")
        }
        let signatureBytes = Array(response.data.suffix(CompanionAppProtocol.signatureLength))
        guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes) else {
            throw CardSecurityError.badSignature("device \(deviceID) sent a signature that is not a P-256 r ‖ s pair")
        }
        let message = CompanionAppProtocol.signedMessage(
            challenge: challenge, deviceID: deviceID, readerContext: readerContext)
        guard publicKey.isValidSignature(signature, for: Data(message)) else {
            throw CardSecurityError.badSignature(
                "device \(deviceID) signature does not verify: replayed answer, another reader's challenge, or wrong key")
        }
        return deviceID
    }
}
