import Foundation
import Logging
import PostgresNIO

/// Head office's schema, as an ordered list of migrations owned by the code.
///
/// A shipped migration is never edited: append the next one. Every node runs `migrate()` at start under a
/// session advisory lock, so nodes starting together apply each migration exactly once, and a node never runs
/// against a schema newer than it knows (it refuses to start instead).
public enum HeadOfficeMigrations {
    static let lockKey: Int64 = 7_200

    static let migrations: [(name: String, sql: String)] = [("v1", v1), ("v2", v2), ("v3", v3), ("v4", v4), ("v5", v5), ("v6", v6), ("v7", v7), ("v8", v8), ("v9", v9), ("v10", v10)]

    public static var latest: String { migrations.last!.name }

    /// Applies the missing migrations, up to and including `target` (default: all); returns their names. A target
    /// other than the latest makes a database as an older release left it (the upgrade tests start from one).
    @discardableResult
    public static func migrate(_ database: HeadOfficeDatabase, upTo target: String? = nil) async throws -> [String] {
        let wanted: ArraySlice<(name: String, sql: String)>
        if let target {
            guard let last = migrations.firstIndex(where: { $0.name == target }) else {
                throw HeadOfficeError(.invalidArgument, "no head-office migration is named \(target) (known: \(migrations.map(\.name).joined(separator: ", ")))")
            }
            wanted = migrations[...last]
        } else {
            wanted = migrations[...]
        }
        let logger = database.logger
        return try await database.client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
            do {
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS schema_migration (
                        name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                var applied: Set<String> = []
                for try await name in try await connection.query("SELECT name FROM schema_migration", logger: logger).decode(String.self) {
                    applied.insert(name)
                }
                let known = Set(migrations.map(\.name))
                if let unknown = applied.subtracting(known).sorted().first {
                    throw HeadOfficeError(.conflict, "the database has migration \(unknown), which this version of parcours does not know: upgrade this node before starting it")
                }
                var ran: [String] = []
                for migration in wanted where !applied.contains(migration.name) {
                    // The extended protocol takes one statement at a time; the migration is still one transaction.
                    try await connection.query("BEGIN", logger: logger)
                    for statement in statements(of: migration.sql) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query("INSERT INTO schema_migration (name) VALUES (\(migration.name))", logger: logger)
                    try await connection.query("COMMIT", logger: logger)
                    ran.append(migration.name)
                }
                try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                return ran
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// Splits a migration at the semicolons that end its lines, except inside a `$$`-quoted function body, whose
    /// statements end their lines with semicolons too. Lines that are SQL comments are dropped. (Only `$$` quotes
    /// are recognized, not `$tag$`.)
    public static func statements(of sql: String) -> [String] {
        var statements: [String] = []
        var current: [Substring] = []
        var insideBody = false
        func finish() {
            let statement = current.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty { statements.append(statement) }
            current = []
        }
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("--") { continue }
            if line.components(separatedBy: "$$").count % 2 == 0 { insideBody.toggle() }
            if !insideBody && line.hasSuffix(";") {
                current.append(line.dropLast())
                finish()
            } else {
                current.append(line)
            }
        }
        finish()
        return statements
    }

    private static let v1 = """
        CREATE TABLE store (
            id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
            name text NOT NULL,
            region text,
            public_key text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz,
            -- Every event up to here is stored (the high-water mark sent back to the store); v10 applies them later.
            acknowledged_sequence bigint NOT NULL DEFAULT 0,
            highest_received bigint NOT NULL DEFAULT 0,
            last_push_at timestamptz,
            -- Offline redemptions a store may make per customer beyond head office's balance, in points.
            redemption_allowance bigint NOT NULL DEFAULT 0 CHECK (redemption_allowance >= 0)
        );

        -- Replay protection for signed requests: a nonce is refused the second time.
        CREATE TABLE request_nonce (
            store_id text NOT NULL,
            nonce text NOT NULL,
            seen_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (store_id, nonce)
        );
        CREATE INDEX request_nonce_on_seen_at ON request_nonce (seen_at);

        -- Every store event, exactly once: (store, sequence) and the event id are both unique.
        CREATE TABLE store_event (
            store_id text NOT NULL REFERENCES store (id),
            sequence bigint NOT NULL CHECK (sequence > 0),
            id uuid NOT NULL UNIQUE,
            type text NOT NULL,
            schema_version integer NOT NULL,
            payload jsonb NOT NULL,
            created_at timestamptz NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (store_id, sequence)
        );

        CREATE TABLE profile (
            id uuid PRIMARY KEY,
            first_name text,
            last_name text,
            email text,
            phone text,
            language text,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            -- 'store' or 'ecommerce'; origin_store_id is set for the first.
            origin text NOT NULL CHECK (origin IN ('store', 'ecommerce')),
            origin_store_id text,
            ecommerce_id text UNIQUE,
            merged_into uuid REFERENCES profile (id),
            erased_at timestamptz
        );
        CREATE INDEX profile_on_email ON profile (lower(email)) WHERE email IS NOT NULL;

        -- A merged profile's id answers for its survivor. Chains are flattened: survivor_id is never an alias.
        CREATE TABLE profile_alias (
            alias_id uuid PRIMARY KEY REFERENCES profile (id),
            survivor_id uuid NOT NULL REFERENCES profile (id),
            merge_id uuid NOT NULL
        );
        CREATE INDEX profile_alias_on_survivor ON profile_alias (survivor_id);

        -- Why two profiles became one: which identifier, when, from where.
        CREATE TABLE profile_merge (
            id uuid PRIMARY KEY,
            survivor_id uuid NOT NULL REFERENCES profile (id),
            merged_id uuid NOT NULL REFERENCES profile (id),
            identifier_kind text NOT NULL,
            identifier_value text NOT NULL,
            source text NOT NULL,
            at timestamptz NOT NULL DEFAULT now()
        );

        -- One row per identifier value in the chain. profile_id always names a survivor (or nobody yet).
        CREATE TABLE identifier (
            kind text NOT NULL,
            value text NOT NULL,
            profile_id uuid REFERENCES profile (id),
            verified boolean NOT NULL,
            public_key text,
            revoked_at timestamptz,
            first_seen_at timestamptz NOT NULL,
            first_store_id text,
            PRIMARY KEY (kind, value)
        );
        CREATE INDEX identifier_on_profile ON identifier (profile_id) WHERE profile_id IS NOT NULL;

        -- Each store names identifiers with its own ids; visits refer to those.
        CREATE TABLE store_identifier (
            id uuid PRIMARY KEY,
            store_id text NOT NULL,
            kind text NOT NULL,
            value text NOT NULL
        );

        CREATE TABLE visit (
            id uuid PRIMARY KEY,
            store_id text NOT NULL,
            device_id text NOT NULL,
            identifier_id uuid NOT NULL,
            profile_id uuid REFERENCES profile (id),
            at timestamptz NOT NULL
        );
        CREATE INDEX visit_on_profile ON visit (profile_id, at) WHERE profile_id IS NOT NULL;
        CREATE INDEX visit_on_store_at ON visit (store_id, at);

        CREATE TABLE purchase (
            id uuid PRIMARY KEY,
            store_id text NOT NULL,
            till_device_id text NOT NULL,
            receipt_id text NOT NULL,
            amount_minor bigint NOT NULL,
            currency text NOT NULL,
            lines jsonb,
            profile_id uuid REFERENCES profile (id),
            points_earned bigint NOT NULL,
            at timestamptz NOT NULL,
            UNIQUE (store_id, receipt_id)
        );
        CREATE INDEX purchase_on_profile ON purchase (profile_id) WHERE profile_id IS NOT NULL;

        CREATE TABLE refund (
            id uuid PRIMARY KEY,
            store_id text NOT NULL,
            purchase_id uuid NOT NULL,
            refund_receipt_id text NOT NULL,
            amount_minor bigint NOT NULL,
            points_reversed bigint NOT NULL,
            at timestamptz NOT NULL
        );

        -- The authoritative points ledger of the chain: every store's entries, and head office's own.
        CREATE TABLE ledger_entry (
            id uuid PRIMARY KEY,
            profile_id uuid NOT NULL REFERENCES profile (id),
            store_id text,
            delta bigint NOT NULL,
            reason text NOT NULL,
            reference text,
            at timestamptz NOT NULL,
            expires_at timestamptz
        );
        CREATE INDEX ledger_entry_on_profile ON ledger_entry (profile_id, at);

        CREATE TABLE redemption (
            id uuid PRIMARY KEY,
            store_id text NOT NULL,
            profile_id uuid NOT NULL REFERENCES profile (id),
            reward_id text NOT NULL,
            cost bigint NOT NULL,
            device_id text NOT NULL,
            at timestamptz NOT NULL,
            -- Set when the store redeemed offline beyond head office's balance and its allowance.
            overdraft bigint
        );

        CREATE TABLE feedback (
            id uuid PRIMARY KEY,
            store_id text NOT NULL,
            score integer NOT NULL CHECK (score BETWEEN 0 AND 10),
            comment text,
            language text NOT NULL,
            kiosk_device_id text NOT NULL,
            profile_id uuid REFERENCES profile (id),
            at timestamptz NOT NULL
        );

        CREATE TABLE consent (
            id uuid PRIMARY KEY,
            profile_id uuid NOT NULL REFERENCES profile (id),
            purpose text NOT NULL,
            granted boolean NOT NULL,
            at timestamptz NOT NULL,
            source text NOT NULL
        );
        CREATE INDEX consent_on_profile ON consent (profile_id, purpose, at);

        -- Online touchpoints from the e-commerce side.
        CREATE TABLE touchpoint (
            id uuid PRIMARY KEY,
            profile_id uuid NOT NULL REFERENCES profile (id),
            kind text NOT NULL,
            at timestamptz NOT NULL,
            detail jsonb
        );
        CREATE INDEX touchpoint_on_profile ON touchpoint (profile_id, at);

        -- Which profiles each store knows: their changes are fanned out to it.
        CREATE TABLE store_profile (
            store_id text NOT NULL REFERENCES store (id),
            profile_id uuid NOT NULL REFERENCES profile (id),
            PRIMARY KEY (store_id, profile_id)
        );
        CREATE INDEX store_profile_on_profile ON store_profile (profile_id);

        -- The changes feed. store_id NULL: for every store. Positions are taken under AdvisoryLock.feed.
        CREATE TABLE change (
            position bigserial PRIMARY KEY,
            store_id text,
            kind text NOT NULL,
            body jsonb NOT NULL,
            at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX change_on_store ON change (store_id, position);

        CREATE TABLE reward (
            id text PRIMARY KEY,
            name text NOT NULL,
            cost bigint NOT NULL CHECK (cost > 0),
            active boolean NOT NULL DEFAULT true
        );

        -- The survivor of a profile id (itself when it was never merged).
        CREATE FUNCTION resolve_profile(uuid) RETURNS uuid LANGUAGE sql STABLE AS
            'SELECT COALESCE((SELECT survivor_id FROM profile_alias WHERE alias_id = $1), $1)'
        """

    /// Indexes the ingest needs once history grows (found by the hq benchmark): the visits an identifier made before
    /// anyone owned it, and a store identifier by its value. Named v3: v2 is the e-commerce API keys.
    private static let v3 = """
        CREATE INDEX visit_on_anonymous_identifier ON visit (identifier_id) WHERE profile_id IS NULL;
        CREATE INDEX store_identifier_on_value ON store_identifier (kind, value)
        """
}
