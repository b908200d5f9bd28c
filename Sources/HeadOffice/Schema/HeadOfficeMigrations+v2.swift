extension HeadOfficeMigrations {
    /// v2: API keys for the e-commerce system's webhook. Only the SHA-256 of a key is kept; the key itself is
    /// printed once by `parcours hq api-key add`.
    static let v2 = """
        CREATE TABLE api_key (
            id uuid PRIMARY KEY,
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
            -- Lowercase hex SHA-256 of the whole key text.
            key_hash text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz
        );
        -- One active key per name, so 'api-key revoke --name' says which one; revoked keys keep their row.
        CREATE UNIQUE INDEX api_key_active_name ON api_key (name) WHERE revoked_at IS NULL
        """
}
