extension SQLiteMigration {
    /// Audit records of every access: who acted in which role, for which patient, from where.
    ///
    /// Reads, searches and refusals are audited beside writes, so the trail is read by patient as much as
    /// by time (`audit_by_patient`).
    static let accessAudit = SQLiteMigration(
        version: 13,
        name: "access audit",
        sql: """
            ALTER TABLE audit ADD COLUMN agent_role TEXT;
            ALTER TABLE audit ADD COLUMN patient_ref TEXT;
            ALTER TABLE audit ADD COLUMN source_address TEXT;
            CREATE INDEX audit_by_patient ON audit (patient_ref, id) WHERE patient_ref IS NOT NULL;
            """
    )

    /// SMART Backend Services state shared by every process on the database: the gateway's signing keys,
    /// one per rotation slot, and the client assertions already used (the `jti` replay cache).
    static let authorization = SQLiteMigration(
        version: 14,
        name: "authorization",
        sql: """
            CREATE TABLE signing_key (
                slot            INTEGER PRIMARY KEY,
                kid             TEXT    NOT NULL UNIQUE,
                algorithm       TEXT    NOT NULL,
                private_key     TEXT    NOT NULL,
                created_at      INTEGER NOT NULL
            );
            CREATE TABLE client_assertion (
                client_id       TEXT    NOT NULL,
                jti             TEXT    NOT NULL,
                expires_at      INTEGER NOT NULL,
                PRIMARY KEY (client_id, jti)
            ) WITHOUT ROWID;
            CREATE INDEX client_assertion_by_expiry ON client_assertion (expires_at);
            """
    )
}
