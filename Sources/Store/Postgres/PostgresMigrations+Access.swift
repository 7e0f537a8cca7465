extension PostgresMigration {
    /// SQLite's migration 13 (``SQLiteMigration/accessAudit``) in PostgreSQL's terms.
    static let accessAudit = PostgresMigration(
        version: 8,
        name: "access audit",
        sql: """
            ALTER TABLE audit ADD COLUMN agent_role text;
            ALTER TABLE audit ADD COLUMN patient_ref text;
            ALTER TABLE audit ADD COLUMN source_address text;
            CREATE INDEX audit_by_patient ON audit (patient_ref, id) WHERE patient_ref IS NOT NULL;
            """
    )

    /// SQLite's migration 14 (``SQLiteMigration/authorization``) in PostgreSQL's terms: what every replica
    /// must share for SMART Backend Services.
    static let authorization = PostgresMigration(
        version: 9,
        name: "authorization",
        sql: """
            CREATE TABLE signing_key (
                slot            bigint    PRIMARY KEY,
                kid             text      NOT NULL UNIQUE,
                algorithm       text      NOT NULL,
                private_key     text      NOT NULL,
                created_at      bigint    NOT NULL
            );
            CREATE TABLE client_assertion (
                client_id       text      NOT NULL,
                jti             text      NOT NULL,
                expires_at      bigint    NOT NULL,
                PRIMARY KEY (client_id, jti)
            );
            CREATE INDEX client_assertion_by_expiry ON client_assertion (expires_at);
            """
    )
}
