/// The one error type of the card security layer.
///
/// Equality and hashing look only at ``code``, so callers and tests match on the kind of failure
/// (`#expect(throws: CardSecurityError.badSignature)`) while ``message`` tells a human what was wrong.
public struct CardSecurityError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable, CustomStringConvertible {
        /// A MAC or signature does not verify: the data was edited, copied, or checked with the wrong key.
        case badSignature
        /// A SUN read counter is not above the last one seen: a replayed URL or a cloned tag.
        case replayedCounter
        /// A companion-app challenge was answered before: a replayed answer.
        case replayedChallenge
        /// The key id named by the data is not in the keyring.
        case unknownKey
        /// No public key is enrolled for the device id the phone gave.
        case unknownDevice
        /// The data belongs to someone else (for example a card of another brand's host).
        case foreignCard
        /// The phone app answered with an error status (not enrolled, locked…).
        case deviceRefused
        /// The bytes or text are not what the format requires.
        case malformed
        /// The verifier or signer was set up wrongly (key size, secret length, layout).
        case configuration

        public var description: String {
            switch self {
            case .badSignature: "bad signature"
            case .replayedCounter: "replayed counter"
            case .replayedChallenge: "replayed challenge"
            case .unknownKey: "unknown key"
            case .unknownDevice: "unknown device"
            case .foreignCard: "foreign card"
            case .deviceRefused: "device refused"
            case .malformed: "malformed"
            case .configuration: "configuration"
            }
        }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension CardSecurityError {
    public static func badSignature(_ message: String) -> Self { Self(.badSignature, message) }
    public static func replayedCounter(_ message: String) -> Self { Self(.replayedCounter, message) }
    public static func replayedChallenge(_ message: String) -> Self { Self(.replayedChallenge, message) }
    public static func unknownKey(_ message: String) -> Self { Self(.unknownKey, message) }
    public static func unknownDevice(_ message: String) -> Self { Self(.unknownDevice, message) }
    public static func foreignCard(_ message: String) -> Self { Self(.foreignCard, message) }
    public static func deviceRefused(_ message: String) -> Self { Self(.deviceRefused, message) }
    public static func malformed(_ message: String) -> Self { Self(.malformed, message) }
    public static func configuration(_ message: String) -> Self { Self(.configuration, message) }

    /// Code-only values for matching in `catch` patterns and `#expect(throws:)`.
    public static let badSignature = Self(.badSignature, "")
    public static let replayedCounter = Self(.replayedCounter, "")
    public static let replayedChallenge = Self(.replayedChallenge, "")
    public static let unknownKey = Self(.unknownKey, "")
    public static let unknownDevice = Self(.unknownDevice, "")
    public static let foreignCard = Self(.foreignCard, "")
    public static let deviceRefused = Self(.deviceRefused, "")
    public static let malformed = Self(.malformed, "")
    public static let configuration = Self(.configuration, "")
}
