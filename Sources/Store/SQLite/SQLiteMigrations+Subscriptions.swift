extension SQLiteMigration {
    /// Topic-based subscriptions over REST, numbered per subscription, and the trace of each delivery
    /// (issue 23). Migrations 15 and 16 belong to another change; the runner applies every migration
    /// the database has not recorded, so neither the gap nor a database already at 19 does harm.
    /// - `subscription`: each partner's REST Subscriptions and the configuration's partners (whose
    ///   subscription the configuration owns), with the status, the heartbeat due, and `last_event`, the
    ///   subscription's event count: SQLite's one writer makes a counter in the row what a sequence is on
    ///   PostgreSQL. The configuration's partners numbered their events per episode until now; each goes
    ///   on from the highest number it used, so no number repeats.
    /// - `outbox.trace_parent`: the W3C trace context of the request that caused the event.
    /// - `outbox_event` leads with the event number after the subscription, so `$events` reads a range of
    ///   a subscription's numbers from it; the index is replaced, not added to, so writes cost the same.
    static let subscriptions = SQLiteMigration(
        version: 17,
        name: "subscriptions",
        sql: """
            CREATE TABLE subscription (
                id              TEXT    PRIMARY KEY,
                owner           TEXT    NOT NULL,
                origin          TEXT    NOT NULL,
                status          TEXT    NOT NULL,
                version         INTEGER NOT NULL,
                last_updated    INTEGER NOT NULL,
                resource        BLOB    NOT NULL,
                error           TEXT,
                heartbeat_period INTEGER,
                next_check_at   INTEGER,
                last_event      INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID;
            CREATE INDEX subscription_by_owner ON subscription (owner);
            INSERT INTO subscription (id, owner, origin, status, version, last_updated, resource, last_event)
            SELECT partner, partner, 'configuration', 'active', 1, max(created_at), x'', max(event_number)
            FROM outbox GROUP BY partner;
            ALTER TABLE outbox ADD COLUMN trace_parent TEXT;
            DROP INDEX outbox_event;
            CREATE UNIQUE INDEX outbox_event ON outbox (partner, event_number, episode_id)
                WHERE redelivery_of IS NULL;
            """
    )

    /// The search index's version: which rules made the search tokens in `resource_identifier` (beside
    /// the identifier tokens it always held). Stores from before search have none; the gateway indexes
    /// their resources at start and records the version (``SearchStore/reindexSearch(version:tokens:)``).
    static let searchIndex = SQLiteMigration(
        version: 18,
        name: "search index",
        sql: """
            INSERT INTO store_state (name, value, changed_at) VALUES ('search_index', '0', 0)
            ON CONFLICT (name) DO NOTHING;
            """
    )
}
