extension SQLiteMigration {
    /// The operations console's sessions: one row per signed-in operator, keyed by the hash of the cookie's
    /// token (the token itself is never stored), with the CSRF token its forms carry.
    static let consoleSessions = SQLiteMigration(
        version: 20,
        name: "console sessions",
        sql: """
            CREATE TABLE console_session (
                token_hash      TEXT    PRIMARY KEY,
                operator_name   TEXT    NOT NULL,
                csrf_token      TEXT    NOT NULL,
                created_at      INTEGER NOT NULL,
                expires_at      INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX console_session_by_expiry ON console_session (expires_at);
            """
    )
}
