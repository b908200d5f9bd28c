/// The one error type of the card codecs.
///
/// Equality and hashing look only at ``code`` so tests and callers can match on the kind of failure
/// (`#expect(throws: CardProtocolError.truncated)`) while ``message`` still tells a human exactly
/// which bytes were wrong.
public struct CardProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable, CustomStringConvertible {
        /// Fewer bytes than the structure needs.
        case truncated
        /// A declared length disagrees with the bytes present (usually trailing bytes).
        case lengthMismatch
        /// A field holds a value the standard does not allow.
        case invalidValue
        /// Well-formed, but a feature this library deliberately does not handle.
        case unsupported
        /// A bound (size, depth, count of round trips) was exceeded.
        case limitExceeded
        /// The structure as a whole does not make sense.
        case malformed
        /// A checksum (for example the ATR's TCK) does not match.
        case checksumMismatch
        /// The card answered a status word the flow cannot continue from.
        case unexpectedStatus

        public var description: String {
            switch self {
            case .truncated: "truncated"
            case .lengthMismatch: "length mismatch"
            case .invalidValue: "invalid value"
            case .unsupported: "unsupported"
            case .limitExceeded: "limit exceeded"
            case .malformed: "malformed"
            case .checksumMismatch: "checksum mismatch"
            case .unexpectedStatus: "unexpected status"
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

extension CardProtocolError {
    public static func truncated(_ message: String) -> Self { Self(.truncated, message) }
    public static func lengthMismatch(_ message: String) -> Self { Self(.lengthMismatch, message) }
    public static func invalidValue(_ message: String) -> Self { Self(.invalidValue, message) }
    public static func unsupported(_ message: String) -> Self { Self(.unsupported, message) }
    public static func limitExceeded(_ message: String) -> Self { Self(.limitExceeded, message) }
    public static func malformed(_ message: String) -> Self { Self(.malformed, message) }
    public static func checksumMismatch(_ message: String) -> Self { Self(.checksumMismatch, message) }
    public static func unexpectedStatus(_ message: String) -> Self { Self(.unexpectedStatus, message) }

    /// Code-only values for matching in `catch` patterns and `#expect(throws:)`.
    public static let truncated = Self(.truncated, "")
    public static let lengthMismatch = Self(.lengthMismatch, "")
    public static let invalidValue = Self(.invalidValue, "")
    public static let unsupported = Self(.unsupported, "")
    public static let limitExceeded = Self(.limitExceeded, "")
    public static let malformed = Self(.malformed, "")
    public static let checksumMismatch = Self(.checksumMismatch, "")
    public static let unexpectedStatus = Self(.unexpectedStatus, "")
}
