extension PostgresMigration {
    /// SQLite's migration 17 (``SQLiteMigration/subscriptions``) in PostgreSQL's terms, without the event
    /// counter: each subscription numbers its events with a `SEQUENCE` of its own, made when the
    /// subscription is (``PostgresSession/registerSequence(for:)``), so messages about different
    /// patients never wait for one counter row. Migrations 10 and 11 belong to another change.
    static let subscriptions = PostgresMigration(
        version: 12,
        name: "subscriptions",
        sql: """
            CREATE TABLE subscription (
                id              text      PRIMARY KEY,
                owner           text      NOT NULL,
                origin          text      NOT NULL,
                status          text      NOT NULL,
                version         bigint    NOT NULL,
                last_updated    bigint    NOT NULL,
                resource        bytea     NOT NULL,
                error           text,
                heartbeat_period bigint,
                next_check_at   bigint
            );
            CREATE INDEX subscription_by_owner ON subscription (owner);
            INSERT INTO subscription (id, owner, origin, status, version, last_updated, resource)
            SELECT partner, partner, 'configuration', 'active', 1, max(created_at), ''::bytea
            FROM outbox GROUP BY partner;
            ALTER TABLE outbox ADD COLUMN trace_parent text;
            DROP INDEX outbox_event;
            CREATE UNIQUE INDEX outbox_event ON outbox (partner, event_number, episode_id)
                WHERE redelivery_of IS NULL
            """
    )

    /// SQLite's migration 18 (``SQLiteMigration/searchIndex``).
    static let searchIndex = PostgresMigration(
        version: 13,
        name: "search index",
        sql: """
            INSERT INTO store_state (name, value, changed_at) VALUES ('search_index', '0', 0)
            ON CONFLICT (name) DO NOTHING
            """
    )
}
