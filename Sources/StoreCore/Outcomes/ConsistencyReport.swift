/// The result of ``StoreDatabase/check()``.
public struct ConsistencyReport: Sendable, Hashable, Codable {
    /// The lines of `PRAGMA integrity_check`; `["ok"]` when the file is sound.
    public var integrity: [String]
    /// Rows whose foreign key points nowhere (`PRAGMA foreign_key_check`).
    public var foreignKeyViolations: Int
    /// Profiles whose ledger does not match the records it is derived from.
    public var ledgerMismatches: [LedgerMismatch]
    /// Missing outbox sequence numbers, as ranges.
    public var outboxGaps: [SequenceGap]
    public var profileCount: Int
    public var ledgerEntryCount: Int
    public var outboxCount: Int
    public var highestSequence: Int64

    public var isConsistent: Bool {
        integrity == ["ok"] && foreignKeyViolations == 0 && ledgerMismatches.isEmpty && outboxGaps.isEmpty
    }

    public struct LedgerMismatch: Sendable, Hashable, Codable {
        public var profileId: String
        public var reason: LedgerReason
        /// What the ledger says for this reason.
        public var ledgerSum: Int64
        /// What the source records (purchases, refunds, redemptions) say.
        public var recordSum: Int64
        /// Set when this is a balance problem rather than a reason mismatch (e.g. the balance the API reports
        /// differs from the plain sum of entries once due expiry is written).
        public var note: String?
    }

    public struct SequenceGap: Sendable, Hashable, Codable {
        public var from: Int64
        public var to: Int64

        public init(from: Int64, to: Int64) {
            self.from = from
            self.to = to
        }
    }
}
