import Foundation

/// A secret stored as `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`.
///
/// The iteration count travels with the hash, so it can be raised later without invalidating what is stored.
public struct PasswordHash: Sendable, Hashable {
    public static let minimumIterations = 100_000
    public static let defaultIterations = 120_000
    static let scheme = "pbkdf2-sha256"

    public let iterations: Int
    public let salt: [UInt8]
    public let hash: [UInt8]

    public var encoded: String {
        "\(Self.scheme)$\(iterations)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    /// Hashes a new secret with a fresh 16-byte random salt.
    public static func make(secret: String, iterations: Int = defaultIterations) -> PasswordHash {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let rounds = max(iterations, minimumIterations)
        return PasswordHash(iterations: rounds, salt: salt,
                            hash: PBKDF2.sha256(password: Array(secret.utf8), salt: salt, iterations: rounds, keyByteCount: 32))
    }

    public init(iterations: Int, salt: [UInt8], hash: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Parses a stored hash; nil if the text is not one we wrote (treated as "never matches").
    public init?(encoded: String) {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.scheme, let iterations = Int(parts[1]),
              (Self.minimumIterations...10_000_000).contains(iterations),
              let salt = Data(base64Encoded: String(parts[2])), let hash = Data(base64Encoded: String(parts[3])),
              salt.count >= 8, hash.count == 32 else { return nil }
        self.init(iterations: iterations, salt: Array(salt), hash: Array(hash))
    }

    public func matches(_ secret: String) -> Bool {
        let candidate = PBKDF2.sha256(password: Array(secret.utf8), salt: salt, iterations: iterations, keyByteCount: hash.count)
        // Constant-time comparison, so the time taken does not say how many leading bytes matched.
        var difference: UInt8 = 0
        for (left, right) in zip(candidate, hash) { difference |= left ^ right }
        return difference == 0 && candidate.count == hash.count
    }
}

/// Where the deliberately slow hash runs: a serial queue of its own, never Swift's cooperative pool, whose few
/// threads it would hold for its whole duration. Serial, it also bounds how fast secrets can be tried.
public enum SlowHashing {
    private static let queue = DispatchQueue(label: "parcours.password-hash", qos: .userInitiated)

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
