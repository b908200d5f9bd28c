/// Everything that can go wrong while building a virtual card or playing it to a virtual reader.
///
/// Two errors are equal when their codes are equal, so tests can match on the kind of failure
/// without repeating the message.
public struct CardSimulatorError: Error, Hashable, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Backing: String, Hashable, Sendable {
            case noReaderListening
            case socketFailure
            case vpcdProtocolViolation
            case invalidHex
            case invalidUID
            case unknownCardKind
            case readerIndexOutOfRange
            case ndefTooLarge
            case invalidArgument
        }

        fileprivate let backing: Backing

        /// Nothing accepts connections on the reader's port: pcscd with the vpcd readers is not running.
        public static let noReaderListening = Code(backing: .noReaderListening)
        /// A socket call failed for another reason than a closed port.
        public static let socketFailure = Code(backing: .socketFailure)
        /// The reader side sent something the vpcd protocol does not allow.
        public static let vpcdProtocolViolation = Code(backing: .vpcdProtocolViolation)
        public static let invalidHex = Code(backing: .invalidHex)
        public static let invalidUID = Code(backing: .invalidUID)
        public static let unknownCardKind = Code(backing: .unknownCardKind)
        public static let readerIndexOutOfRange = Code(backing: .readerIndexOutOfRange)
        /// The NDEF message does not fit in the tag's user memory.
        public static let ndefTooLarge = Code(backing: .ndefTooLarge)
        public static let invalidArgument = Code(backing: .invalidArgument)

        public var description: String { backing.rawValue }
    }

    public let code: Code
    /// What was wrong, and where it helps, what to do about it.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: CardSimulatorError, rhs: CardSimulatorError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
