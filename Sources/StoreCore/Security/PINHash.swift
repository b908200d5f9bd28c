import Crypto
import Foundation

/// A staff PIN stored as `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`.
///
/// The iteration count travels with the hash, so it can be raised later without invalidating existing PINs.
/// A 4–8 digit PIN has at most 10⁸ values: the slow KDF only buys time if the file leaks; the real defence is the
/// lockout after a few failures (``StoreDatabase/verifyStaffPIN(staffId:pin:at:)``).
struct PINHash: Sendable, Hashable {
    static let minimumIterations = 100_000
    static let defaultIterations = 120_000
    static let scheme = "pbkdf2-sha256"

    let iterations: Int
    let salt: [UInt8]
    let hash: [UInt8]

    var encoded: String {
        "\(Self.scheme)$\(iterations)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    /// Hashes a new PIN with a fresh 16-byte random salt.
    static func make(pin: String, iterations: Int = defaultIterations) throws -> PINHash {
        let pin = try validated(pin)
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let rounds = max(iterations, minimumIterations)
        return PINHash(iterations: rounds, salt: salt,
                       hash: PBKDF2.sha256(password: Array(pin.utf8), salt: salt, iterations: rounds, keyByteCount: 32))
    }

    init(iterations: Int, salt: [UInt8], hash: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Parses a stored hash; nil if the text is not one we wrote (treated as "PIN never matches").
    init?(encoded: String) {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.scheme, let iterations = Int(parts[1]),
              (Self.minimumIterations...10_000_000).contains(iterations),
              let salt = Data(base64Encoded: String(parts[2])), let hash = Data(base64Encoded: String(parts[3])),
              salt.count >= 8, hash.count == 32 else { return nil }
        self.init(iterations: iterations, salt: Array(salt), hash: Array(hash))
    }

    func matches(pin: String) -> Bool {
        let candidate = PBKDF2.sha256(password: Array(pin.utf8), salt: salt, iterations: iterations, keyByteCount: hash.count)
        // Constant-time comparison, so the time taken does not say how many leading bytes matched.
        var difference: UInt8 = 0
        for (left, right) in zip(candidate, hash) { difference |= left ^ right }
        return difference == 0 && candidate.count == hash.count
    }

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
