import CardProtocols
import Crypto
import Foundation

/// The constants and commands of the Parcours companion app's NFC protocol (Android HCE), as
/// specified in `hardware/phone/companion-app-protocol.md`.
///
/// 1. SELECT the app by ``aid``; the app answers a ``CompanionAppSelectAnswer``.
/// 2. AUTHENTICATE `80 10 00 00 20 challenge(16) ‖ readerContext(16) 00`; the app answers
///    `deviceID(16) ‖ ECDSA P-256 signature (raw r ‖ s, 64)` over ``signedMessage(challenge:deviceID:readerContext:)``.
public enum CompanionAppProtocol {
    /// `F0` (proprietary category) ‖ "PARCOURS" ‖ protocol version 1.
    public static let aid: [UInt8] = [0xF0, 0x50, 0x41, 0x52, 0x43, 0x4F, 0x55, 0x52, 0x53, 0x01]
    public static let protocolVersion: UInt8 = 1

    public static let authenticateCLA: UInt8 = 0x80
    public static let authenticateINS: UInt8 = 0x10

    public static let challengeLength = 16
    public static let readerContextLength = 16
    public static let deviceIDLength = 16
    public static let signatureLength = 64
    public static let authenticateAnswerLength = deviceIDLength + signatureLength

    /// Domain separation: a signature made for this protocol means nothing anywhere else.
    public static let signatureDomain = Array("parcours-app-v1".utf8)

    /// The app has no device key yet: the customer must sign in to the app first.
    public static let notEnrolled = StatusWord.conditionsOfUseNotSatisfied
    /// The app is locked (account suspended, or the customer locked it): do not retry.
    public static let locked = StatusWord.authenticationMethodBlocked
    /// The phone wants the customer to confirm (unlock, biometrics) before signing: tap again.
    public static let confirmationRequired = StatusWord.securityStatusNotSatisfied

    /// `00 A4 04 00 0A F0504152434F55525301 00`.
    public static func selectCommand() throws -> CommandAPDU {
        do {
            return try CommandAPDU.select(aid: aid)
        } catch {
            throw CardSecurityError.configuration("SELECT of the companion app: \(error.message)")
        }
    }

    /// `80 10 00 00 20 challenge ‖ readerContext 00`.
    ///
    /// - Throws: ``CardSecurityError`` `.configuration` unless both are 16 bytes.
    public static func authenticateCommand(challenge: [UInt8], readerContext: [UInt8]) throws -> CommandAPDU {
        try checkLengths(challenge: challenge, readerContext: readerContext)
        do {
            return try CommandAPDU(
                cla: authenticateCLA, ins: authenticateINS, p1: 0x00, p2: 0x00,
                data: challenge + readerContext, expectedLength: 256)
        } catch {
            throw CardSecurityError.configuration("AUTHENTICATE of the companion app: \(error.message)")
        }
    }

    /// 16 bytes from the system's cryptographically secure generator; one per tap, never reused.
    public static func makeChallenge() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<challengeLength).map { _ in UInt8.random(in: 0...UInt8.max, using: &generator) }
    }

    /// The first 16 bytes of SHA-256 of the UTF-8 text `storeID|deviceName`: binds an answer to the
    /// reader it was given to, so the phone's signature states where it was tapped.
    ///
    /// - Throws: ``CardSecurityError`` `.configuration` when `storeID` is empty or contains `|`
    ///   (the text would not say where the store id ends).
    public static func readerContext(storeID: String, deviceName: String) throws -> [UInt8] {
        guard !storeID.isEmpty, !storeID.contains("|") else {
            throw CardSecurityError.configuration("store id \"\(storeID)\" must be non-empty and contain no '|'")
        }
        return Array(SHA256.hash(data: Data("\(storeID)|\(deviceName)".utf8)).prefix(readerContextLength))
    }

    /// `"parcours-app-v1" ‖ challenge ‖ deviceID ‖ readerContext`, the 63 bytes the app signs with
    /// ECDSA P-256 / SHA-256.
    public static func signedMessage(challenge: [UInt8], deviceID: AppDeviceID, readerContext: [UInt8]) -> [UInt8] {
        signatureDomain + challenge + deviceID.bytes + readerContext
    }

    /// What a refusal status word means, for the message shown to staff.
    public static func refusalReason(_ status: StatusWord) -> String {
        switch status {
        case notEnrolled: "the app is not enrolled on this phone: the customer must sign in to the app"
        case locked: "the app is locked: the customer's account or this phone is blocked"
        case confirmationRequired: "the phone asks the customer to confirm: unlock or confirm in the app, then tap again"
        case .wrongLength: "the app rejected the command length (protocol mismatch)"
        case .fileNotFound: "the Parcours app is not installed on this phone"
        default: "the app answered \(status)"
        }
    }

    static func checkLengths(challenge: [UInt8], readerContext: [UInt8]) throws {
        guard challenge.count == challengeLength else {
            throw CardSecurityError.configuration("challenge must be \(challengeLength) bytes, got \(challenge.count)")
        }
        guard readerContext.count == readerContextLength else {
            throw CardSecurityError.configuration(
                "reader context must be \(readerContextLength) bytes, got \(readerContext.count)")
        }
    }
}
