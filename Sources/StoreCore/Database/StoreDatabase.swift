import Foundation
import GRDB
import Logging

/// The store's database: every read and write the services make goes through here.
///
/// One `StoreDatabase` per file per process (GRDB's rule 1: connect to a file only once); it is a `Sendable` value
/// that can be shared by every task. Writes run one at a time in IMMEDIATE transactions on the pool's writer
/// connection; reads run concurrently on WAL snapshots. Each write method validates its input before touching the
/// file and does all of its work, including its outbox events, in one transaction: a failure leaves nothing behind.
public struct StoreDatabase: Sendable {
    /// How hard SQLite works to keep a commit through a power cut.
    public enum Synchronous: String, Sendable, CaseIterable {
        /// `PRAGMA synchronous = FULL`: the WAL is fsynced at every commit, so an acknowledged write survives power
        /// loss. The default: a store commits a few times a second at most, far below what FULL sustains (see the
        /// store benchmark), and the ledger and purchases are money.
        case full
        /// `PRAGMA synchronous = NORMAL`: the WAL is fsynced only at checkpoints. Still never corrupt, and nothing is
        /// lost if only the process dies (kill -9), but the last commits can roll back if the machine loses power.
        case normal
    }

    public struct Options: Sendable {
        /// The store this file belongs to. Required when the file is new; when given for an existing file it must
        /// match, so a copied database is not silently used for another store.
        public var storeId: String?
        public var rules: LoyaltyRules
        public var synchronous: Synchronous
        /// Failed PIN attempts before a staff member is locked out.
        public var maximumFailedPINAttempts: Int
        public var pinLockoutDuration: TimeInterval
        /// How long a writer waits for another process holding the file (the CLI next to the running service).
        public var busyTimeout: TimeInterval
        /// The store counts as offline when head office has not answered a pull for this long (or never has):
        /// only then may a redemption use head office's offline allowance. Several missed sync rounds (5 s
        /// apart, backing off to 60 s), so one slow answer does not open the allowance.
        public var offlineAfter: TimeInterval
        public var logger: Logger

        public init(
            storeId: String? = nil,
            rules: LoyaltyRules = .default,
            synchronous: Synchronous = .full,
            maximumFailedPINAttempts: Int = 5,
            pinLockoutDuration: TimeInterval = 15 * 60,
            busyTimeout: TimeInterval = 5,
            offlineAfter: TimeInterval = 120,
            logger: Logger = Logger(label: "parcours.store")
        ) {
            self.storeId = storeId
            self.rules = rules
            self.synchronous = synchronous
            self.maximumFailedPINAttempts = maximumFailedPINAttempts
            self.pinLockoutDuration = pinLockoutDuration
            self.busyTimeout = busyTimeout
            self.offlineAfter = offlineAfter
            self.logger = logger
        }
    }

    let pool: DatabasePool
    /// Shared by every copy of this value: the writes of all tasks gather into the same groups.
    let groupCommit: GroupCommit
    public let path: String
    public let storeId: String
    let liveRules: LiveLoyaltyRules
    /// The rules in force: head office's earning rules once it has sent them (with the file's reward list),
    /// else the file's.
    public var rules: LoyaltyRules { liveRules.current }
    let options: Options
    var logger: Logger { options.logger }

    /// Opens (creating if needed) the database at `path`, migrates it and loads the reward catalog from the rules.
    public static func open(path: String, options: Options = Options()) async throws -> StoreDatabase {
        let requestedStoreId = try options.storeId.map { try TextField.token($0, field: "storeId") }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        var configuration = Configuration()
        configuration.label = "parcours.store"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(options.busyTimeout)
        let synchronous = options.synchronous
        configuration.prepareDatabase { db in
            // Only the writer connection commits, but setting it everywhere is harmless and keeps one code path.
            try db.execute(sql: "PRAGMA synchronous = \(synchronous == .full ? "FULL" : "NORMAL")")
            // 16 MB of page cache per connection (SQLite's default is 2 MB): keeps the identifier and profile
            // indexes of a store with a million customers mostly in memory.
            try db.execute(sql: "PRAGMA cache_size = -16384")
            // Deleted and overwritten content is zeroed, so an erased customer's name does not survive in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try StoreMigrations.migrator.migrate(pool)

        let fileRules = options.rules
        let (storeId, rules): (String, LoyaltyRules) = try await pool.write { db in
            let now = Date.now.storeTruncated
            let storeId: String
            if let state = try SyncState.fetchOne(db, key: 1) {
                if let requestedStoreId, requestedStoreId != state.storeId {
                    throw StoreError(.storeMismatch,
                                     "database \(path) belongs to store \(state.storeId), not \(requestedStoreId)")
                }
                storeId = state.storeId
            } else {
                guard let requestedStoreId else {
                    throw StoreError(.storeIdRequired, "database \(path) is new: give the store id it belongs to")
                }
                try SyncState(id: 1, storeId: requestedStoreId, acknowledgedSequence: 0, inboundCursor: nil, updatedAt: now)
                    .insert(db)
                storeId = requestedStoreId
            }
            // Once head office has sent a catalog, it owns the catalog: the local rules no longer override it.
            let catalogFromHeadOffice = try Bool.fetchOne(db, sql: "SELECT rewardsFromHeadOffice FROM syncState WHERE id = 1") ?? false
            if !catalogFromHeadOffice { try syncRewardCatalog(db, rules: fileRules) }
            // Likewise the earning rules: once head office has sent them, they outlast a restart with the file.
            return (storeId, try headOfficeRules(db, path: path, fileRules: fileRules) ?? fileRules)
        }
        options.logger.debug("store database open", metadata: ["store": "\(storeId)", "path": "\(path)"])
        return StoreDatabase(pool: pool, groupCommit: GroupCommit(pool: pool), path: path, storeId: storeId,
                             liveRules: LiveLoyaltyRules(rules), options: options)
    }

    /// Head office's earning rules as the store last received them, with the file's reward list.
    static func headOfficeRules(_ db: Database, path: String, fileRules: LoyaltyRules) throws -> LoyaltyRules? {
        guard let json = try String.fetchOne(db, sql: "SELECT loyaltyRulesFromHeadOffice FROM syncState WHERE id = 1") else {
            return nil
        }
        do {
            return try LoyaltyRules(json: Data(json.utf8)).replacingRewards(with: fileRules.rewards)
        } catch let error as StoreError {
            throw StoreError(.invalidRules, "head office's loyalty rules stored in \(path) no longer read back: \(error.message)")
        }
    }

    /// Rewards named by the rules are upserted; rewards the rules no longer list are deactivated, not deleted,
    /// because past redemptions reference them.
    private static func syncRewardCatalog(_ db: Database, rules: LoyaltyRules) throws {
        let listed = Set(rules.rewards.map(\.id))
        for rule in rules.rewards {
            try Reward(id: rule.id, name: rule.name, cost: rule.cost, active: rule.active).upsert(db)
        }
        for var reward in try Reward.fetchAll(db) where !listed.contains(reward.id) && reward.active {
            reward.active = false
            try reward.update(db)
        }
    }

    /// Runs `body` in an IMMEDIATE write transaction, alone or with the writes that queued up meanwhile
    /// (``GroupCommit``): it returns once that transaction is committed, and if `body` throws nothing it wrote is
    /// kept. `body` must touch nothing but the database: it may be run a second time, its first run rolled back.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await groupCommit.write(body)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }

    /// What the single writer has done since this database was opened (see ``WriterStatistics``).
    public var writerStatistics: WriterStatistics { groupCommit.statistics }

    /// A point read run on the calling thread. An indexed lookup takes a few microseconds; hopping to a reader
    /// thread and back costs ten times that, so the hot lookups (identifier, balance) read in place. Only for
    /// reads bounded by an index: anything that scans goes through ``read(_:)``.
    func readInPlace<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// ``readInPlace(_:)`` for a body that runs exactly one SQL statement: one statement always reads one
    /// consistent WAL snapshot, so the BEGIN and COMMIT that ``readInPlace(_:)`` wraps around the body (two more
    /// statements, half the cost of an indexed lookup) are left out. A body that runs two statements or more must
    /// use ``readInPlace(_:)``, or the statements could see different commits.
    func readOneStatementInPlace<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.unsafeRead(body)
    }

    /// Closes the connections. Optional: they also close when the last copy of the value goes away.
    public func close() throws {
        try pool.close()
    }
}

extension Date {
    /// The date exactly as it reads back from the database (milliseconds, through GRDB's own conversion), so that
    /// values returned by write methods compare equal to the same rows fetched later.
    var storeTruncated: Date {
        Date.fromDatabaseValue(StoreDate.text(self).databaseValue) ?? self
    }
}
