extension PostgresMigration {
    /// SQLite's migration 20 (``SQLiteMigration/consoleSessions``) in PostgreSQL's terms: every replica
    /// accepts a session another opened, and a sign-out ends it at all of them.
    static let consoleSessions = PostgresMigration(
        version: 15,
        name: "console sessions",
        sql: """
            CREATE TABLE console_session (
                token_hash      text      PRIMARY KEY,
                operator_name   text      NOT NULL,
                csrf_token      text      NOT NULL,
                created_at      bigint    NOT NULL,
                expires_at      bigint    NOT NULL
            );
            CREATE INDEX console_session_by_expiry ON console_session (expires_at);
            """
    )
}
