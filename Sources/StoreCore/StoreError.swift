/// The one error type of the store layer.
///
/// Modelled on swift-certificates' `CertificateError`: a stable ``Code`` to match on, plus a message for people
/// that says what was wrong. Two errors are equal when their codes are equal, so tests and callers match on the
/// code and never on the wording. Infrastructure failures (disk full, corrupt file) surface as GRDB's
/// `DatabaseError` instead: they are not the caller's mistake and carry SQLite's own diagnosis.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func == (lhs: StoreError, rhs: StoreError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// What kind of mistake it was. New codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        // Input that does not parse or is out of range.
        public static let invalidArgument = Code("invalidArgument")
        public static let malformedEmail = Code("malformedEmail")
        public static let malformedPhone = Code("malformedPhone")
        public static let malformedIdentifier = Code("malformedIdentifier")
        public static let negativeAmount = Code("negativeAmount")
        public static let badCurrency = Code("badCurrency")
        public static let currencyMismatch = Code("currencyMismatch")
        public static let invalidScore = Code("invalidScore")
        public static let invalidRules = Code("invalidRules")
        public static let weakPIN = Code("weakPIN")

        // References to things that do not exist or can no longer be used.
        public static let unknownProfile = Code("unknownProfile")
        public static let profileErased = Code("profileErased")
        public static let unknownReward = Code("unknownReward")
        public static let rewardInactive = Code("rewardInactive")
        public static let unknownPurchase = Code("unknownPurchase")
        public static let unknownDevice = Code("unknownDevice")
        public static let deviceRevoked = Code("deviceRevoked")
        public static let unknownStaff = Code("unknownStaff")

        // Business rules.
        public static let emailAlreadyRegistered = Code("emailAlreadyRegistered")
        public static let identifierAlreadyBound = Code("identifierAlreadyBound")
        public static let insufficientPoints = Code("insufficientPoints")
        public static let receiptConflict = Code("receiptConflict")
        public static let refundExceedsPurchase = Code("refundExceedsPurchase")
        public static let replayedTap = Code("replayedTap")
        public static let staffLocked = Code("staffLocked")

        // The database file itself.
        public static let storeMismatch = Code("storeMismatch")
        public static let storeIdRequired = Code("storeIdRequired")
        public static let backupFailed = Code("backupFailed")
        // `parcours db restore`'s refusals: nothing was changed.
        public static let notAStoreDatabase = Code("notAStoreDatabase")
        public static let backupDamaged = Code("backupDamaged")
        public static let schemaTooNew = Code("schemaTooNew")
        public static let databaseInUse = Code("databaseInUse")
    }
}
