extension HeadOfficeMigrations {
    /// v5: the chain's loyalty earning rules (one row), and the store settings the feed now carries. Named v5
    /// because v4 is taken on another line of work; the list keeps them in order.
    static let v5 = """
        CREATE TABLE loyalty_rules (
            id smallint PRIMARY KEY CHECK (id = 1),
            -- The wire form (SyncProtocol.LoyaltyRulesChange), validated before it is written.
            rules jsonb NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        SELECT pg_advisory_xact_lock(7202);
        -- Stores given an allowance before v5 learn it through the feed, like those given one from now on.
        INSERT INTO change (store_id, kind, body)
        SELECT id, 'storeSettings', jsonb_build_object('redemptionAllowance', redemption_allowance)
        FROM store WHERE redemption_allowance > 0 ORDER BY id
        """
}
