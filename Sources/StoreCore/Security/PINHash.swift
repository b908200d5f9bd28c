import Crypto
import Foundation
import KeyDerivation

/// A staff PIN stored as `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`.
///
/// The iteration count travels with the hash, so it can be raised later without invalidating existing PINs.
/// A 4–8 digit PIN has at most 10⁸ values: the slow KDF only buys time if the file leaks; the real defence is the
/// lockout after a few failures (``StoreDatabase/verifyStaffPIN(staffId:pin:at:)``).
struct PINHash: Sendable, Hashable {
    static let minimumIterations = PasswordHash.minimumIterations
    static let defaultIterations = PasswordHash.defaultIterations

    private let stored: PasswordHash

    var iterations: Int { stored.iterations }
    var salt: [UInt8] { stored.salt }
    var hash: [UInt8] { stored.hash }
    var encoded: String { stored.encoded }

    /// Hashes a new PIN with a fresh 16-byte random salt.
    static func make(pin: String, iterations: Int = defaultIterations) throws -> PINHash {
        PINHash(stored: PasswordHash.make(secret: try validated(pin), iterations: iterations))
    }

    private init(stored: PasswordHash) { self.stored = stored }

    init(iterations: Int, salt: [UInt8], hash: [UInt8]) {
        stored = PasswordHash(iterations: iterations, salt: salt, hash: hash)
    }

    /// Parses a stored hash; nil if the text is not one we wrote (treated as "PIN never matches").
    init?(encoded: String) {
        guard let stored = PasswordHash(encoded: encoded) else { return nil }
        self.stored = stored
    }

    func matches(pin: String) -> Bool { stored.matches(pin) }

    /// PINs are 4–12 ASCII digits; `0000`-style repeats and straight runs are refused as trivially guessed.
    static func validated(_ pin: String) throws -> String {
        guard (4...12).contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw StoreError(.weakPIN, "PIN must be 4–12 digits")
        }
        let digits = pin.compactMap(\.wholeNumberValue)
        let steps = Set(zip(digits, digits.dropFirst()).map { ($1 - $0 + 10) % 10 })
        if steps.count == 1, let step = steps.first, [0, 1, 9].contains(step) {
            throw StoreError(.weakPIN, "PIN must not be a repeated digit or a straight run like 1234")
        }
        return pin
    }
}
