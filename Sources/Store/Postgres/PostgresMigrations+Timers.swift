extension PostgresMigration {
    /// SQLite's migration 15 (``SQLiteMigration/timers``) in PostgreSQL's terms: the due-time index the
    /// replicas' timers claim partitions from with `FOR UPDATE SKIP LOCKED`.
    static let timers = PostgresMigration(
        version: 10,
        name: "timers",
        sql: """
            ALTER TABLE partition ADD COLUMN due_at bigint;
            UPDATE partition SET due_at = 0;
            CREATE INDEX partition_due ON partition (due_at, id) WHERE due_at IS NOT NULL;
            """
    )
}
