import CardSecurity
import Crypto
import Foundation
import Synchronization

/// A phone running the Parcours companion app, seen through Android host card emulation: an
/// ISO-DEP card with a random 4-byte UID and ATR `3B 80 80 01 01`, whose APDUs Android routes to the
/// app after a SELECT of its AID. The app's answers are ``CompanionAppResponder``'s (SELECT and
/// AUTHENTICATE signed with the device key); any other AID gets `6A 82`, as Android answers for an
/// application that is not installed.
public final class CompanionAppCard: VirtualCard {
    public let identity: ContactlessIdentity
    let responder: Mutex<CompanionAppResponder>

    /// - Parameter uid: `nil` draws a random one starting with `08`, as Android does.
    /// - Throws: ``CardSimulatorError/Code-swift.struct/invalidUID`` for a UID that is not 4, 7 or 10 bytes.
    public init(responder: CompanionAppResponder, uid: [UInt8]? = nil) throws(CardSimulatorError) {
        var generator = SystemRandomNumberGenerator()
        let uid = uid ?? [0x08] + (0..<3).map { _ in UInt8.random(in: 0...UInt8.max, using: &generator) }
        identity = try ContactlessIdentity(uid: uid, historicalBytes: [])
        self.responder = Mutex(responder)
    }

    /// A phone with a deterministic key derived from `deviceID`, so tests and the rig can enroll it
    /// without sharing key files. Not a key to use anywhere real.
    public static func testKey(for deviceID: AppDeviceID) -> P256.Signing.PrivateKey {
        var seed = Array(SHA256.hash(data: Data("parcours-cardsim-test-device-key|".utf8) + Data(deviceID.bytes)))
        // A SHA-256 output is below the P-256 order except with negligible probability; rehash if not.
        while true {
            if let key = try? P256.Signing.PrivateKey(rawRepresentation: seed) { return key }
            seed = Array(SHA256.hash(data: Data(seed)))
        }
    }

    /// The device identifier used when none is given.
    public static let sampleDeviceID: AppDeviceID = {
        do {
            return try AppDeviceID(bytes: Array("PARCOURS-DEVICE1".utf8))
        } catch {
            fatalError("a 16-byte literal is a valid device id: \(error)")
        }
    }()

    public var atr: [UInt8] { identity.atr }

    public func powerOn() {}

    public var deviceID: AppDeviceID { responder.withLock { $0.deviceID } }

    /// The public key to enroll at head office for this phone.
    public var publicKey: P256.Signing.PublicKey { responder.withLock { $0.privateKey.publicKey } }

    /// What the app can do now; change it between taps to play a locked or unenrolled app.
    public var appState: CompanionAppResponder.State {
        get { responder.withLock { $0.state } }
        set { responder.withLock { $0.state = newValue } }
    }

    public func respond(to command: [UInt8]) -> [UInt8] {
        if command.first == 0xFF {
            guard let apdu = try? IncomingAPDU(parsing: command) else { return StatusWord.wrongLength }
            return identity.answerReaderCommand(apdu)
        }
        let app = responder.withLock { $0 }
        return app.respond(to: command)
    }
}
