import GRDB

/// The schema, as an ordered list of migrations.
///
/// A migration that has shipped is never edited: change the schema by appending "v2", "v3"… Migrations use SQL and
/// string table names, never the record types, so that they keep meaning the same thing when the types evolve.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v4") { db in
            try db.execute(sql: "ALTER TABLE syncState ADD COLUMN rewardsFromHeadOffice BOOLEAN NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v5") { db in
            try db.execute(sql: v5)
        }
        migrator.registerMigration("v6") { db in
            try db.execute(sql: v6)
        }
        return migrator
    }

    /// The migrations this release knows, oldest first: a file that has one not in this list was written by a newer
    /// release, and `parcours db restore` refuses it.
    static var names: [String] { migrator.migrations }

    /// v6: a restored database remembers the highest outbox sequence its backup had issued, until the sync engine
    /// has asked head office where this store stands (`StoreDatabase.reconcileAfterRestore`). Events written after
    /// the restore are numbered from there, which head office may already hold for events the restore took away.
    private static let v6 = """
        ALTER TABLE syncState ADD COLUMN restoredAt DATETIME;
        ALTER TABLE syncState ADD COLUMN restoredThroughSequence INTEGER CHECK (restoredThroughSequence >= 0)
        """

    /// v5: what head office sends about the programme and this store. The chain's earning rules (JSON, as
    /// `config/loyalty.json` less its rewards; NULL until head office sends them, and the local file rules), the
    /// offline redemption allowance, and when head office last answered a pull, which tells whether the store is
    /// offline.
    private static let v5 = """
        ALTER TABLE syncState ADD COLUMN loyaltyRulesFromHeadOffice TEXT;
        ALTER TABLE syncState ADD COLUMN redemptionAllowance INTEGER NOT NULL DEFAULT 0 CHECK (redemptionAllowance >= 0);
        ALTER TABLE syncState ADD COLUMN headOfficeAnsweredAt DATETIME
        """

    private static let v1 = """
        CREATE TABLE syncState (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            storeId TEXT NOT NULL,
            acknowledgedSequence INTEGER NOT NULL DEFAULT 0 CHECK (acknowledgedSequence >= 0),
            inboundCursor TEXT,
            updatedAt DATETIME NOT NULL
        );

        CREATE TABLE profile (
            id TEXT PRIMARY KEY NOT NULL,
            firstName TEXT NOT NULL,
            lastName TEXT,
            email TEXT,
            phone TEXT,
            language TEXT NOT NULL,
            tier TEXT NOT NULL,
            createdAt DATETIME NOT NULL,
            updatedAt DATETIME NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('kiosk', 'till', 'import', 'headOffice')),
            erasedAt DATETIME
        );
        CREATE INDEX profile_on_phone ON profile(phone);
        CREATE INDEX profile_on_firstName ON profile(firstName COLLATE NOCASE);
        CREATE INDEX profile_on_lastName ON profile(lastName COLLATE NOCASE);

        CREATE TABLE identifier (
            id TEXT PRIMARY KEY NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('cardUID', 'loyaltyCard', 'sunTag', 'appDevice', 'paymentToken',
                                               'paymentAccountReference', 'email', 'phone', 'ecommerceID')),
            value TEXT NOT NULL,
            profileId TEXT REFERENCES profile(id),
            publicKey BLOB,
            verified BOOLEAN NOT NULL DEFAULT 0,
            sunCounter INTEGER,
            createdAt DATETIME NOT NULL,
            UNIQUE (kind, value)
        );
        CREATE INDEX identifier_on_profileId ON identifier(profileId);

        CREATE TABLE visit (
            id TEXT PRIMARY KEY NOT NULL,
            storeId TEXT NOT NULL,
            deviceId TEXT NOT NULL,
            reader TEXT NOT NULL,
            identifierId TEXT NOT NULL REFERENCES identifier(id),
            profileId TEXT REFERENCES profile(id),
            at DATETIME NOT NULL
        );
        CREATE INDEX visit_on_identifierId_at ON visit(identifierId, at);
        CREATE INDEX visit_on_profileId_at ON visit(profileId, at);

        CREATE TABLE identityConflict (
            id TEXT PRIMARY KEY NOT NULL,
            visitId TEXT NOT NULL REFERENCES visit(id),
            chosenProfileId TEXT NOT NULL REFERENCES profile(id),
            chosenKind TEXT NOT NULL,
            others TEXT NOT NULL,
            at DATETIME NOT NULL
        );

        CREATE TABLE purchase (
            id TEXT PRIMARY KEY NOT NULL,
            storeId TEXT NOT NULL,
            tillDeviceId TEXT NOT NULL,
            receiptId TEXT NOT NULL,
            amountMinor INTEGER NOT NULL CHECK (amountMinor >= 0),
            currency TEXT NOT NULL CHECK (length(currency) = 3),
            lines TEXT,
            profileId TEXT REFERENCES profile(id),
            pointsEarned INTEGER NOT NULL DEFAULT 0 CHECK (pointsEarned >= 0),
            at DATETIME NOT NULL,
            UNIQUE (storeId, receiptId)
        );
        CREATE INDEX purchase_on_profileId ON purchase(profileId);

        CREATE TABLE refund (
            id TEXT PRIMARY KEY NOT NULL,
            storeId TEXT NOT NULL,
            purchaseId TEXT NOT NULL REFERENCES purchase(id),
            refundReceiptId TEXT NOT NULL,
            tillDeviceId TEXT NOT NULL,
            amountMinor INTEGER NOT NULL CHECK (amountMinor > 0),
            lines TEXT,
            pointsReversed INTEGER NOT NULL CHECK (pointsReversed >= 0),
            at DATETIME NOT NULL,
            UNIQUE (storeId, refundReceiptId)
        );
        CREATE INDEX refund_on_purchaseId ON refund(purchaseId);

        CREATE TABLE ledgerEntry (
            id TEXT PRIMARY KEY NOT NULL,
            profileId TEXT NOT NULL REFERENCES profile(id),
            delta INTEGER NOT NULL CHECK (delta <> 0),
            reason TEXT NOT NULL CHECK (reason IN ('purchase', 'refund', 'visitBonus', 'signUpBonus',
                                                   'redemption', 'expiry', 'adjustment')),
            reference TEXT,
            at DATETIME NOT NULL,
            expiresAt DATETIME,
            CHECK (expiresAt IS NULL OR delta > 0)
        );
        CREATE INDEX ledgerEntry_on_profileId_reason_at ON ledgerEntry(profileId, reason, at);
        CREATE TRIGGER ledgerEntry_is_append_only_update BEFORE UPDATE ON ledgerEntry
            BEGIN SELECT RAISE(ABORT, 'ledgerEntry is append-only: write a correcting entry instead'); END;
        CREATE TRIGGER ledgerEntry_is_append_only_delete BEFORE DELETE ON ledgerEntry
            BEGIN SELECT RAISE(ABORT, 'ledgerEntry is append-only: write a correcting entry instead'); END;

        CREATE TABLE reward (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            cost INTEGER NOT NULL CHECK (cost > 0),
            active BOOLEAN NOT NULL DEFAULT 1
        );

        CREATE TABLE redemption (
            id TEXT PRIMARY KEY NOT NULL,
            storeId TEXT NOT NULL,
            profileId TEXT NOT NULL REFERENCES profile(id),
            rewardId TEXT NOT NULL REFERENCES reward(id),
            cost INTEGER NOT NULL CHECK (cost > 0),
            deviceId TEXT NOT NULL,
            at DATETIME NOT NULL
        );
        CREATE INDEX redemption_on_profileId ON redemption(profileId);

        CREATE TABLE feedback (
            id TEXT PRIMARY KEY NOT NULL,
            storeId TEXT NOT NULL,
            score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
            comment TEXT,
            language TEXT NOT NULL,
            kioskDeviceId TEXT NOT NULL,
            profileId TEXT REFERENCES profile(id),
            at DATETIME NOT NULL
        );

        CREATE TABLE consent (
            id TEXT PRIMARY KEY NOT NULL,
            profileId TEXT NOT NULL REFERENCES profile(id),
            purpose TEXT NOT NULL,
            granted BOOLEAN NOT NULL,
            at DATETIME NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('kiosk', 'till', 'import', 'headOffice'))
        );
        CREATE INDEX consent_on_profileId_purpose_at ON consent(profileId, purpose, at);
        CREATE TRIGGER consent_is_append_only_update BEFORE UPDATE ON consent
            BEGIN SELECT RAISE(ABORT, 'consent history is append-only'); END;

        CREATE TABLE device (
            id TEXT PRIMARY KEY NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('kiosk', 'till')),
            name TEXT NOT NULL,
            tokenHash TEXT NOT NULL UNIQUE,
            boundReader TEXT,
            createdAt DATETIME NOT NULL,
            revokedAt DATETIME
        );

        CREATE TABLE staff (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('staff', 'manager')),
            pinHash TEXT NOT NULL,
            failedAttempts INTEGER NOT NULL DEFAULT 0 CHECK (failedAttempts >= 0),
            lockedUntil DATETIME,
            createdAt DATETIME NOT NULL
        );

        CREATE TABLE outbox (
            id TEXT PRIMARY KEY NOT NULL,
            storeId TEXT NOT NULL,
            sequence INTEGER NOT NULL UNIQUE CHECK (sequence > 0),
            type TEXT NOT NULL,
            schemaVersion INTEGER NOT NULL,
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            createdAt DATETIME NOT NULL
        );
        CREATE TRIGGER outbox_is_append_only_update BEFORE UPDATE ON outbox
            BEGIN SELECT RAISE(ABORT, 'outbox events are immutable'); END;
        """

    /// Anonymous visits and identifiers have no profile. Their NULL entries in the two `profileId` indexes were
    /// written (one more B-tree page in every anonymous tap's commit) and stored (about 40 bytes per anonymous
    /// visit) but never read: every query on these indexes asks for one profile (`profileId = ?`, which SQLite
    /// knows implies `profileId IS NOT NULL`, so the partial indexes serve it); anonymous rows are found through
    /// `identifierId`. Rebuilding the two indexes reads each table once.
    private static let v2 = """
        DROP INDEX visit_on_profileId_at;
        CREATE INDEX visit_on_profileId_at ON visit(profileId, at) WHERE profileId IS NOT NULL;
        DROP INDEX identifier_on_profileId;
        CREATE INDEX identifier_on_profileId ON identifier(profileId) WHERE profileId IS NOT NULL;
        """

    /// Head office's changes: a merge moves a profile's history to the survivor, so the ledger and consent
    /// histories may now change owner (and only that: amounts, reasons and dates stay immutable). The merged
    /// profile remembers its survivor.
    private static let v3 = """
        DROP TRIGGER ledgerEntry_is_append_only_update;
        CREATE TRIGGER ledgerEntry_is_append_only_update BEFORE UPDATE OF id, delta, reason, reference, at, expiresAt ON ledgerEntry
            BEGIN SELECT RAISE(ABORT, 'ledgerEntry is append-only: write a correcting entry instead'); END;
        DROP TRIGGER consent_is_append_only_update;
        CREATE TRIGGER consent_is_append_only_update BEFORE UPDATE OF id, purpose, granted, at, source ON consent
            BEGIN SELECT RAISE(ABORT, 'consent history is append-only'); END;
        ALTER TABLE profile ADD COLUMN mergedInto TEXT REFERENCES profile(id);
        """
}
