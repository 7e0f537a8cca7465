import Foundation

/// One versioned change to the PostgreSQL schema: PostgreSQL's own numbered list, applied in order, each
/// in its own transaction and recorded in `schema_migration`, as ``SQLiteMigration`` does for SQLite. A
/// migration, once released, is never edited, only followed by another.
struct PostgresMigration: Sendable {
    let version: Int
    let name: String
    /// Sent one by one, because PostgreSQL's extended query protocol (all postgres-nio speaks) takes one
    /// statement per query.
    let statements: [String]

    /// `sql`: statements separated by a semicolon at the end of a line.
    init(version: Int, name: String, sql: String) {
        let statements = sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { statement in
                statement.split(separator: "\n").contains { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            }
        self.init(version: version, name: name, statements: statements)
    }

    /// For statements that hold semicolons at the end of a line themselves, such as a function's body.
    init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

extension PostgresMigration {
    /// Every migration this build knows, in version order.
    static let all: [PostgresMigration] = [
        .initialSchema, .deliveryAdministration, .outboxIndexes, .claimableAt, .senderIdentity, .partitions,
        .unmatchedReferrals, .accessAudit, .authorization, .timers, .subscriptions, .searchIndex, .leanerWrites,
        .consoleSessions, .deadRowsIndexedAlone, .partitionsNamedUnderLocks, .measureFacts,
        .recentEpisodes, .unmatchedByVersion, .resourcesByUpdate,
    ]

    /// The schema SQLite reaches after its migrations 1–3, in PostgreSQL's types, plus the stamp of the
    /// episode book that orders the replicas (see ``PostgresStore``).
    ///
    /// Times are `bigint` milliseconds since 1970 (UTC), bodies and documents `bytea` holding bytes exactly
    /// as written, as in SQLite, so both backends hand back identical values.
    static let initialSchema = PostgresMigration(
        version: 1,
        name: "initial schema",
        sql: """
            CREATE TABLE message (
                id              bigserial PRIMARY KEY,
                received_at     bigint    NOT NULL,
                sender          text      NOT NULL,
                content_type    text      NOT NULL,
                correlation_id  text      NOT NULL,
                interaction     text      NOT NULL,
                body            bytea     NOT NULL
            );

            -- identifier_key: the business identifier of ServiceRequest, CarePlan and Task. The unique
            -- index makes ingest by identifier idempotent however many replicas race (INSERT … ON CONFLICT).
            CREATE TABLE resource (
                type            text      NOT NULL,
                id              text      NOT NULL,
                version         bigint    NOT NULL,
                identifier_key  text,
                last_updated    bigint    NOT NULL,
                deleted         boolean   NOT NULL DEFAULT false,
                PRIMARY KEY (type, id)
            );
            CREATE UNIQUE INDEX resource_identifier_key ON resource (type, identifier_key)
                WHERE identifier_key IS NOT NULL;

            CREATE TABLE resource_version (
                type            text      NOT NULL,
                id              text      NOT NULL,
                version         bigint    NOT NULL,
                content         bytea     NOT NULL,
                content_hash    bytea     NOT NULL,
                message_id      bigint    REFERENCES message (id),
                recorded_at     bigint    NOT NULL,
                PRIMARY KEY (type, id, version),
                FOREIGN KEY (type, id) REFERENCES resource (type, id)
            );

            CREATE TABLE resource_identifier (
                type            text      NOT NULL,
                token           text      NOT NULL,
                id              text      NOT NULL,
                PRIMARY KEY (type, token, id)
            );
            CREATE INDEX resource_identifier_by_resource ON resource_identifier (type, id);

            CREATE TABLE episode (
                id              text      PRIMARY KEY,
                patient_key     text      NOT NULL,
                service_line    text      NOT NULL,
                status          text      NOT NULL,
                document        bytea     NOT NULL,
                updated_at      bigint    NOT NULL
            );
            CREATE INDEX episode_by_patient ON episode (patient_key, service_line, status);
            CREATE INDEX episode_by_update ON episode (updated_at DESC, id);

            CREATE TABLE episode_event (
                episode_id      text      NOT NULL REFERENCES episode (id),
                number          bigint    NOT NULL,
                kind            text      NOT NULL,
                payload         bytea     NOT NULL,
                message_id      bigint    REFERENCES message (id),
                recorded_at     bigint    NOT NULL,
                UNIQUE (episode_id, number)
            );

            -- The normaliser's book: held resources, and one row of counters whose stamp changes with every
            -- commit that changes the book. Replicas lock that row (SELECT … FOR UPDATE) to normalise one
            -- message at a time, and compare the stamp with their book's to know whether it is stale.
            CREATE TABLE episode_resource (
                key             text      PRIMARY KEY,
                held            bytea     NOT NULL,
                arrival         bigint    NOT NULL
            );
            CREATE TABLE episode_book (
                id              integer   PRIMARY KEY CHECK (id = 1),
                arrivals        bigint    NOT NULL,
                evaluated_at    bytea,
                version         bigint    NOT NULL DEFAULT 0,
                stamp           bigint    NOT NULL DEFAULT 0
            );
            INSERT INTO episode_book (id, arrivals) VALUES (1, 0);

            -- One row per (partner, episode event); state: pending, leased, delivered, dead. lease_owner
            -- holds the lease token, lease_until its end; claims take the head of each (partner, episode)
            -- stream with FOR UPDATE SKIP LOCKED.
            CREATE TABLE outbox (
                id              bigserial PRIMARY KEY,
                partner         text      NOT NULL,
                episode_id      text      NOT NULL,
                event_number    bigint    NOT NULL,
                payload_ref     text      NOT NULL,
                state           text      NOT NULL DEFAULT 'pending',
                attempts        bigint    NOT NULL DEFAULT 0,
                next_attempt_at bigint    NOT NULL,
                lease_owner     text,
                lease_until     bigint,
                last_error      text,
                created_at      bigint    NOT NULL,
                delivery_id     text      UNIQUE,
                event           bytea,
                body            bytea,
                UNIQUE (partner, episode_id, event_number)
            );
            CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'leased');
            CREATE INDEX outbox_stream ON outbox (partner, episode_id, id) WHERE state IN ('pending', 'leased');

            CREATE TABLE delivery_attempt (
                id              bigserial PRIMARY KEY,
                outbox_id       bigint    NOT NULL REFERENCES outbox (id),
                delivery_id     text      NOT NULL,
                partner         text      NOT NULL,
                number          bigint    NOT NULL,
                started_at      bigint    NOT NULL,
                status          bigint,
                error           text,
                duration_ms     bigint    NOT NULL,
                http_version    text,
                excerpt         bytea     NOT NULL
            );
            CREATE INDEX delivery_attempt_by_delivery ON delivery_attempt (delivery_id);

            CREATE TABLE audit (
                id              bigserial PRIMARY KEY,
                at              bigint    NOT NULL,
                action          text      NOT NULL,
                outcome         text      NOT NULL,
                sender          text,
                resource_ref    text,
                message_id      bigint    REFERENCES message (id),
                correlation_id  text,
                detail          text
            );
            CREATE INDEX audit_by_at ON audit (at);
            """
    )

    /// What `tandem deliveries retry`, `requeue-dead` and `tandem redeliver` need of the outbox, as SQLite's
    /// migration 4 gives it (see ``SQLiteMigration/deliveryAdministration`` for why each column exists):
    /// `redelivery_of`, `requeued_at` and `attempt_base`; `(partner, episode_id, event_number)` unique over
    /// original rows only, so a redelivery may repeat its original's event number (PostgreSQL drops the
    /// table constraint in place; no rebuild); and an index for listing by partner and state.
    static let deliveryAdministration = PostgresMigration(
        version: 2,
        name: "delivery administration",
        sql: """
            ALTER TABLE outbox ADD COLUMN redelivery_of text;
            ALTER TABLE outbox ADD COLUMN requeued_at bigint;
            ALTER TABLE outbox ADD COLUMN attempt_base bigint NOT NULL DEFAULT 0;
            ALTER TABLE outbox DROP CONSTRAINT outbox_partner_episode_id_event_number_key;
            CREATE UNIQUE INDEX outbox_event ON outbox (partner, episode_id, event_number)
                WHERE redelivery_of IS NULL;
            CREATE INDEX outbox_by_partner_state ON outbox (partner, state);
            """
    )

    /// Planning reads the last event number per partner of one episode, and a re-keyed episode moves its
    /// rows by episode id: both look rows up by `episode_id` first, which no index leads with (the unique one
    /// leads with the partner); SQLite's migration 5 adds the same index. The claim keeps its shape
    /// (``PostgresSession/claimOutbox(limit:run:now:leaseMilliseconds:)``), served by `outbox_stream` and `outbox_due`.
    static let outboxIndexes = PostgresMigration(
        version: 3,
        name: "outbox indexes",
        sql: """
            CREATE INDEX outbox_by_episode ON outbox (episode_id, partner, event_number);
            """
    )

    /// A claim's walk starts at the first row it may take, as SQLite's migration 9 makes it
    /// (``SQLiteMigration/claimableAt``): `outbox_claimable` orders outstanding rows by the later of
    /// `next_attempt_at` and `lease_until`, and replaces `outbox_due`, which ordered them by
    /// `next_attempt_at` alone, so every claim read each leased row (they are the oldest due) from the table
    /// before the first it could take, on every replica (docs/performance.md).
    static let claimableAt = PostgresMigration(
        version: 4,
        name: "claimable at",
        sql: """
            CREATE INDEX outbox_claimable ON outbox ((greatest(next_attempt_at, coalesce(lease_until, 0))), id)
                WHERE state IN ('pending', 'leased') AND delivery_id IS NOT NULL;
            DROP INDEX outbox_due;
            """
    )

    /// SQLite's migration 10 (``SQLiteMigration/senderIdentity``) in PostgreSQL's terms: resource owners,
    /// the senders' aliases, business identifiers unique per owner, and the resources each episode holds.
    static let senderIdentity = PostgresMigration(
        version: 5,
        name: "sender identity",
        sql: """
            ALTER TABLE resource ADD COLUMN owner text NOT NULL DEFAULT '';
            UPDATE resource r SET owner = coalesce((
                SELECT m.sender FROM resource_version v JOIN message m ON m.id = v.message_id
                WHERE v.type = r.type AND v.id = r.id ORDER BY v.version LIMIT 1), '');
            DROP INDEX resource_identifier_key;
            CREATE UNIQUE INDEX resource_identifier_key ON resource (owner, type, identifier_key)
                WHERE identifier_key IS NOT NULL;

            CREATE TABLE resource_alias (
                owner           text      NOT NULL,
                type            text      NOT NULL,
                alias           text      NOT NULL,
                id              text      NOT NULL,
                PRIMARY KEY (owner, type, alias)
            );
            INSERT INTO resource_alias (owner, type, alias, id) SELECT owner, type, id, id FROM resource;

            CREATE TABLE episode_member (
                episode_id      text      NOT NULL,
                reference       text      NOT NULL,
                owner           text,
                PRIMARY KEY (episode_id, reference)
            );
            CREATE INDEX episode_member_by_reference ON episode_member (reference, episode_id);
            CREATE INDEX episode_member_by_owner ON episode_member (owner, episode_id) WHERE owner IS NOT NULL;
            INSERT INTO episode_member (episode_id, reference)
            SELECT DISTINCT e.id, m.reference FROM episode e
            CROSS JOIN LATERAL (SELECT convert_from(e.document, 'UTF8')::jsonb AS doc) d
            CROSS JOIN LATERAL (
                SELECT jsonb_array_elements_text(coalesce(d.doc -> 'sources', '[]'::jsonb)) AS reference
                UNION SELECT d.doc -> 'patient' ->> 'reference'
                UNION SELECT p -> 'party' ->> 'reference'
                    FROM jsonb_array_elements(coalesce(d.doc -> 'participants', '[]'::jsonb)) AS p
            ) m
            WHERE e.status != 'retired' AND m.reference IS NOT NULL AND strpos(m.reference, ':') = 0
                AND strpos(m.reference, '#') = 0 AND strpos(m.reference, '?') = 0 AND strpos(m.reference, '/') > 0;
            UPDATE episode_member m SET owner = r.owner FROM resource r
            WHERE r.type = split_part(m.reference, '/', 1) AND r.id = split_part(m.reference, '/', 2)
            """
    )

    /// SQLite's migration 11 (``SQLiteMigration/partitions``) in PostgreSQL's terms. Arrival numbers come
    /// from a sequence, in blocks, so replicas never hand out the same one.
    static let partitions = PostgresMigration(
        version: 6,
        name: "partitions",
        sql: """
            CREATE TABLE partition (
                id              bigserial PRIMARY KEY,
                version         bigint    NOT NULL DEFAULT 0,
                evaluated_at    bytea,
                mappings_version text
            );
            CREATE TABLE partition_resource (
                key             text      PRIMARY KEY,
                partition_id    bigint    NOT NULL,
                held            bytea     NOT NULL,
                arrival         bigint    NOT NULL
            );
            CREATE INDEX partition_resource_by_partition ON partition_resource (partition_id);
            CREATE TABLE partition_name (
                name            text      NOT NULL,
                partition_id    bigint    NOT NULL,
                PRIMARY KEY (name, partition_id)
            );
            CREATE INDEX partition_name_by_partition ON partition_name (partition_id);
            CREATE TABLE shared_resource (
                key             text      PRIMARY KEY,
                held            bytea     NOT NULL,
                arrival         bigint    NOT NULL
            );
            CREATE TABLE shared_name (
                name            text      NOT NULL,
                key             text      NOT NULL,
                PRIMARY KEY (name, key)
            );
            CREATE SEQUENCE held_arrival INCREMENT BY 1024;

            ALTER TABLE episode RENAME COLUMN document TO state;
            UPDATE episode SET state = convert_to(
                jsonb_set(convert_from(state, 'UTF8')::jsonb, '{timeline}', '[]'::jsonb)::text, 'UTF8');
            ALTER TABLE episode ADD COLUMN partition_id bigint;
            CREATE INDEX episode_by_partition ON episode (partition_id) WHERE status != 'retired'
            """
    )

    /// SQLite's migration 12 (``SQLiteMigration/unmatchedReferrals``) in PostgreSQL's terms.
    static let unmatchedReferrals = PostgresMigration(
        version: 7,
        name: "unmatched referrals",
        sql: """
            CREATE TABLE unmatched_referral (
                key             text      PRIMARY KEY,
                partition_id    bigint    NOT NULL,
                resource_type   text      NOT NULL,
                sender          text      NOT NULL,
                codes           bytea     NOT NULL,
                service_line    text,
                mappings_version text,
                recorded_at     bigint    NOT NULL
            );
            CREATE INDEX unmatched_referral_by_partition ON unmatched_referral (partition_id);
            CREATE TABLE store_state (
                name            text      PRIMARY KEY,
                value           text      NOT NULL,
                changed_at      bigint    NOT NULL
            )
            """
    )
}
