import CardProtocols
import Crypto
import Foundation

/// The phone side of the companion app protocol, for the card simulator and tests: answers SELECT
/// and AUTHENTICATE exactly as the specification asks the Android app to.
///
/// Stateless, like Android's routing: the system only delivers APDUs to the app after a SELECT of
/// its AID, so AUTHENTICATE is answered whenever it arrives.
public struct CompanionAppResponder: Sendable {
    /// What the app can do right now.
    public enum State: Sendable, Hashable {
        case ready
        case notEnrolled
        case locked
        case confirmationRequired
    }

    public let deviceID: AppDeviceID
    public let privateKey: P256.Signing.PrivateKey
    public let appVersion: (major: UInt8, minor: UInt8, patch: UInt8)
    public var state: State

    public init(
        deviceID: AppDeviceID, privateKey: P256.Signing.PrivateKey,
        appVersion: (major: UInt8, minor: UInt8, patch: UInt8) = (1, 0, 0), state: State = .ready
    ) {
        self.deviceID = deviceID
        self.privateKey = privateKey
        self.appVersion = appVersion
        self.state = state
    }

    /// The response bytes to raw command bytes; unparsable commands get `67 00`.
    public func respond(to command: [UInt8]) -> [UInt8] {
        guard let parsed = try? CommandAPDU(parsing: command) else {
            return ResponseAPDU(status: .wrongLength).serialized()
        }
        return respond(to: parsed).serialized()
    }

    public func respond(to command: CommandAPDU) -> ResponseAPDU {
        switch (command.cla, command.ins) {
        case (0x00, 0xA4):
            guard command.p1 == 0x04, command.data == CompanionAppProtocol.aid else {
                return ResponseAPDU(status: .fileNotFound)
            }
            return ResponseAPDU(
                data: CompanionAppSelectAnswer(appVersion: appVersion).serialized(), status: .success)
        case (CompanionAppProtocol.authenticateCLA, CompanionAppProtocol.authenticateINS):
            return authenticate(command)
        case (CompanionAppProtocol.authenticateCLA, _), (0x00, _):
            return ResponseAPDU(status: StatusWord(rawValue: 0x6D00))
        default:
            return ResponseAPDU(status: StatusWord(rawValue: 0x6E00))
        }
    }

    private func authenticate(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x00, command.p2 == 0x00 else {
            return ResponseAPDU(status: StatusWord(rawValue: 0x6A86))
        }
        let expected = CompanionAppProtocol.challengeLength + CompanionAppProtocol.readerContextLength
        guard command.data.count == expected else {
            return ResponseAPDU(status: .wrongLength)
        }
        switch state {
        case .ready: break
        case .notEnrolled: return ResponseAPDU(status: CompanionAppProtocol.notEnrolled)
        case .locked: return ResponseAPDU(status: CompanionAppProtocol.locked)
        case .confirmationRequired: return ResponseAPDU(status: CompanionAppProtocol.confirmationRequired)
        }
        let challenge = Array(command.data.prefix(CompanionAppProtocol.challengeLength))
        let readerContext = Array(command.data.suffix(CompanionAppProtocol.readerContextLength))
        let message = CompanionAppProtocol.signedMessage(
            challenge: challenge, deviceID: deviceID, readerContext: readerContext)
        guard let signature = try? privateKey.signature(for: Data(message)) else {
            return ResponseAPDU(status: StatusWord(rawValue: 0x6F00))
        }
        return ResponseAPDU(data: deviceID.bytes + Array(signature.rawRepresentation), status: .success)
    }
}
