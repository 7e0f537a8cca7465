extension PostgresMigration {
    /// SQLite's migration 8 (``SQLiteMigration/deadRowsIndexedAlone``) in PostgreSQL's terms: only
    /// dead-lettered rows keep an index of their own.
    ///
    /// `outbox_by_partner_state` led with the partner, so with one partner and a backlog the planner took it
    /// for the claim's check of each candidate's stream, and read every outstanding row of the partner per
    /// candidate instead of the stream's few through `outbox_stream` (docs/performance.md). It also moved
    /// each row's entry twice per delivery. Outstanding rows of a partner are found through `outbox_stream`,
    /// dead ones through `outbox_dead`.
    static let deadRowsIndexedAlone = PostgresMigration(
        version: 16,
        name: "dead rows indexed alone",
        sql: """
            DROP INDEX outbox_by_partner_state;
            CREATE INDEX outbox_dead ON outbox (id) WHERE state = 'dead';
            """
    )
}
