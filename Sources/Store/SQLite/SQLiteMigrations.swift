/// One versioned change to the SQLite schema. Applied in order, each in its own transaction, and recorded
/// in `schema_migration`; a migration, once released, is never edited, only followed by another.
struct SQLiteMigration: Sendable {
    let version: Int
    let name: String
    let sql: String
    /// Whether the migration rebuilds a table that others reference: it then runs with foreign keys off
    /// and checks them before committing (https://www.sqlite.org/lang_altertable.html#otheralter).
    var rebuildsTables = false
}

extension SQLiteMigration {
    /// Every migration this build knows, in version order.
    static let all: [SQLiteMigration] = [
        .initialSchema, .episodeBook, .deliveryOutbox, .deliveryAdministration, .outboxIndexes, .outboxBodies,
        .attemptsByOutboxRow, .deadRowsIndexedAlone, .claimableAt, .senderIdentity, .partitions, .unmatchedReferrals,
        .accessAudit, .authorization, .timers, .subscriptions, .searchIndex, .leanerWrites, .consoleSessions,
        .measureFacts, .recentEpisodes, .unmatchedByVersion, .resourcesByUpdate,
    ]

    /// The ingest, episode, outbox and audit tables.
    ///
    /// Times are integer milliseconds since 1970 (UTC). Bodies and documents are BLOBs holding bytes
    /// exactly as written. The outbox is shaped for the delivery service: one row per (partner, episode
    /// event), claimed with a lease, found through `outbox_due`.
    static let initialSchema = SQLiteMigration(
        version: 1,
        name: "initial schema",
        sql: """
            -- Every accepted HTTP message, as received, for reprocessing and audit.
            CREATE TABLE message (
                id              INTEGER PRIMARY KEY,
                received_at     INTEGER NOT NULL,
                sender          TEXT    NOT NULL,
                content_type    TEXT    NOT NULL,
                correlation_id  TEXT    NOT NULL,
                interaction     TEXT    NOT NULL,
                body            BLOB    NOT NULL
            );

            -- The current state of each resource. identifier_key is the business identifier
            -- (system|value) of ServiceRequest, CarePlan and Task: the unique index makes ingest by
            -- identifier idempotent however many writers race.
            CREATE TABLE resource (
                type            TEXT    NOT NULL,
                id              TEXT    NOT NULL,
                version         INTEGER NOT NULL,
                identifier_key  TEXT,
                last_updated    INTEGER NOT NULL,
                deleted         INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (type, id)
            );
            CREATE UNIQUE INDEX resource_identifier_key ON resource (type, identifier_key)
                WHERE identifier_key IS NOT NULL;

            -- Every version of every resource. content is the resource as JSON without id,
            -- meta.versionId and meta.lastUpdated (the row holds those), so equal content hashes mean
            -- an unchanged resource.
            CREATE TABLE resource_version (
                type            TEXT    NOT NULL,
                id              TEXT    NOT NULL,
                version         INTEGER NOT NULL,
                content         BLOB    NOT NULL,
                content_hash    BLOB    NOT NULL,
                message_id      INTEGER REFERENCES message (id),
                recorded_at     INTEGER NOT NULL,
                UNIQUE (type, id, version),
                FOREIGN KEY (type, id) REFERENCES resource (type, id)
            );

            -- All identifiers (system|value) of each current resource, for If-None-Exist.
            CREATE TABLE resource_identifier (
                type            TEXT    NOT NULL,
                token           TEXT    NOT NULL,
                id              TEXT    NOT NULL,
                PRIMARY KEY (type, token, id)
            ) WITHOUT ROWID;
            CREATE INDEX resource_identifier_by_resource ON resource_identifier (type, id);

            -- Co-management episodes: the normalised document and its numbered timeline.
            CREATE TABLE episode (
                id              TEXT    PRIMARY KEY,
                patient_key     TEXT    NOT NULL,
                service_line    TEXT    NOT NULL,
                status          TEXT    NOT NULL,
                document        BLOB    NOT NULL,
                updated_at      INTEGER NOT NULL
            );
            CREATE INDEX episode_by_patient ON episode (patient_key, service_line, status);

            CREATE TABLE episode_event (
                episode_id      TEXT    NOT NULL REFERENCES episode (id),
                number          INTEGER NOT NULL,
                kind            TEXT    NOT NULL,
                payload         BLOB    NOT NULL,
                message_id      INTEGER REFERENCES message (id),
                recorded_at     INTEGER NOT NULL,
                UNIQUE (episode_id, number)
            );

            -- One row per partner that must hear of an episode event; filled and drained by delivery.
            -- state: pending, leased, delivered, dead.
            CREATE TABLE outbox (
                id              INTEGER PRIMARY KEY,
                partner         TEXT    NOT NULL,
                episode_id      TEXT    NOT NULL,
                event_number    INTEGER NOT NULL,
                payload_ref     TEXT    NOT NULL,
                state           TEXT    NOT NULL DEFAULT 'pending',
                attempts        INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                lease_owner     TEXT,
                lease_until     INTEGER,
                last_error      TEXT,
                created_at      INTEGER NOT NULL,
                UNIQUE (partner, episode_id, event_number)
            );
            CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'leased');

            -- Every accepted message and every decision, renderable as a FHIR AuditEvent.
            CREATE TABLE audit (
                id              INTEGER PRIMARY KEY,
                at              INTEGER NOT NULL,
                action          TEXT    NOT NULL,
                outcome         TEXT    NOT NULL,
                sender          TEXT,
                resource_ref    TEXT,
                message_id      INTEGER REFERENCES message (id),
                correlation_id  TEXT,
                detail          TEXT
            );
            CREATE INDEX audit_by_at ON audit (at);
            """
    )

    /// The normaliser's book, kept incrementally: each held resource in its own row (only what a message
    /// changed is rewritten), the book's counters in one row. The episodes themselves are the `episode`
    /// rows (their documents); `retired` marks an episode no resource supports any more.
    static let episodeBook = SQLiteMigration(
        version: 2,
        name: "episode book",
        sql: """
            CREATE TABLE episode_resource (
                key             TEXT    PRIMARY KEY,
                held            BLOB    NOT NULL,
                arrival         INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE episode_book (
                id              INTEGER PRIMARY KEY CHECK (id = 1),
                arrivals        INTEGER NOT NULL,
                evaluated_at    BLOB
            );
            """
    )

    /// What the forwarder needs of an outbox row that migration 1 did not hold: the delivery id (stable,
    /// unique: planning inserts with `INSERT OR IGNORE` on it), the announced timeline event and the rendered
    /// body; an index to find the head of each (partner, episode) stream; and every attempt.
    /// `lease_owner` holds the lease token, `next_attempt_at` the retry time, `last_error` the dead-letter reason.
    static let deliveryOutbox = SQLiteMigration(
        version: 3,
        name: "delivery outbox",
        sql: """
            ALTER TABLE outbox ADD COLUMN delivery_id TEXT;
            ALTER TABLE outbox ADD COLUMN event BLOB;
            ALTER TABLE outbox ADD COLUMN body BLOB;
            CREATE UNIQUE INDEX outbox_delivery_id ON outbox (delivery_id);
            CREATE INDEX outbox_stream ON outbox (partner, episode_id, id) WHERE state IN ('pending', 'leased');

            CREATE TABLE delivery_attempt (
                id              INTEGER PRIMARY KEY,
                outbox_id       INTEGER NOT NULL REFERENCES outbox (id),
                delivery_id     TEXT    NOT NULL,
                partner         TEXT    NOT NULL,
                number          INTEGER NOT NULL,
                started_at      INTEGER NOT NULL,
                status          INTEGER,
                error           TEXT,
                duration_ms     INTEGER NOT NULL,
                http_version    TEXT,
                excerpt         BLOB    NOT NULL
            );
            CREATE INDEX delivery_attempt_by_delivery ON delivery_attempt (delivery_id);
            """
    )

    /// What `tandem deliveries retry`, `requeue-dead` and `tandem redeliver` need of the outbox:
    /// - `redelivery_of`: a redelivery is a new row (new delivery id, so a partner that drops repeated
    ///   delivery ids still processes it) announcing the same partner event number, so the table's
    ///   `UNIQUE (partner, episode_id, event_number)` becomes a unique index over original rows only. SQLite
    ///   cannot drop a table constraint, hence the rebuild.
    /// - `requeued_at`, `attempt_base`: an operator's retry gives a dead row a fresh retry budget (counted from
    ///   `requeued_at`, over the attempts after `attempt_base`) while `attempts` and `delivery_attempt` keep
    ///   the whole history; otherwise a row dead for age or attempts would be dead-lettered again unsent.
    static let deliveryAdministration = SQLiteMigration(
        version: 4,
        name: "delivery administration",
        sql: """
            CREATE TABLE outbox_v4 (
                id              INTEGER PRIMARY KEY,
                partner         TEXT    NOT NULL,
                episode_id      TEXT    NOT NULL,
                event_number    INTEGER NOT NULL,
                payload_ref     TEXT    NOT NULL,
                state           TEXT    NOT NULL DEFAULT 'pending',
                attempts        INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                lease_owner     TEXT,
                lease_until     INTEGER,
                last_error      TEXT,
                created_at      INTEGER NOT NULL,
                delivery_id     TEXT,
                event           BLOB,
                body            BLOB,
                redelivery_of   TEXT,
                requeued_at     INTEGER,
                attempt_base    INTEGER NOT NULL DEFAULT 0
            );
            INSERT INTO outbox_v4 (id, partner, episode_id, event_number, payload_ref, state, attempts,
                next_attempt_at, lease_owner, lease_until, last_error, created_at, delivery_id, event, body)
            SELECT id, partner, episode_id, event_number, payload_ref, state, attempts, next_attempt_at,
                lease_owner, lease_until, last_error, created_at, delivery_id, event, body
            FROM outbox;
            DROP TABLE outbox;
            ALTER TABLE outbox_v4 RENAME TO outbox;
            CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'leased');
            CREATE UNIQUE INDEX outbox_delivery_id ON outbox (delivery_id);
            CREATE INDEX outbox_stream ON outbox (partner, episode_id, id) WHERE state IN ('pending', 'leased');
            CREATE UNIQUE INDEX outbox_event ON outbox (partner, episode_id, event_number)
                WHERE redelivery_of IS NULL;
            CREATE INDEX outbox_by_partner_state ON outbox (partner, state);
            """,
        rebuildsTables: true
    )

    /// Indexes that keep the outbox's two hot queries independent of its size:
    /// - planning reads the last event number per partner of one episode (`outbox_by_episode`); without it
    ///   every ingest scanned the whole unique index;
    /// - a claim walks due rows in `next_attempt_at` order (`outbox_ready`) and keeps those that head their
    ///   (partner, episode) stream (`outbox_head`), stopping at its limit; the earlier form grouped every
    ///   pending row and read each head's row, body included, on every claim.
    /// The two indexes they replace go.
    static let outboxIndexes = SQLiteMigration(
        version: 5,
        name: "outbox indexes",
        sql: """
            CREATE INDEX outbox_by_episode ON outbox (episode_id, partner, event_number);
            CREATE INDEX outbox_head ON outbox (partner, episode_id, id)
                WHERE state IN ('pending', 'leased') AND delivery_id IS NOT NULL;
            CREATE INDEX outbox_ready ON outbox (next_attempt_at, id, lease_until, partner, episode_id)
                WHERE state IN ('pending', 'leased') AND delivery_id IS NOT NULL;
            DROP INDEX IF EXISTS outbox_due;
            DROP INDEX IF EXISTS outbox_stream;
            """
    )

    /// Notification bodies move out of `outbox` into `outbox_body`, written once at planning.
    ///
    /// SQLite rewrites a whole record on every UPDATE, overflow pages included. A body of a few KiB spilled
    /// the outbox row into overflow pages, so leasing a row and recording its outcome (two small state
    /// changes) each wrote the body again: most of the pages the single writer committed for a delivery.
    static let outboxBodies = SQLiteMigration(
        version: 6,
        name: "outbox bodies",
        sql: """
            CREATE TABLE outbox_body (
                outbox_id       INTEGER PRIMARY KEY REFERENCES outbox (id),
                body            BLOB    NOT NULL
            );
            INSERT INTO outbox_body (outbox_id, body) SELECT id, body FROM outbox WHERE body IS NOT NULL;
            ALTER TABLE outbox DROP COLUMN body;
            """,
        rebuildsTables: true
    )

    /// Attempts are found by their outbox row (`deliveries list` counts them per row, `deliveries show`
    /// lists them), never by delivery id. The index on delivery id served no query, so each count scanned
    /// every attempt, and each recorded attempt wrote into a random page of an index nobody read.
    static let attemptsByOutboxRow = SQLiteMigration(
        version: 7,
        name: "attempts by outbox row",
        sql: """
            DROP INDEX delivery_attempt_by_delivery;
            CREATE INDEX delivery_attempt_by_outbox ON delivery_attempt (outbox_id, id);
            """
    )

    /// Only dead-lettered rows keep an index of their own: the operator's views of dead letters
    /// (`deliveries list --state dead`, `requeue-dead`) walk it, and rows enter it only when they die.
    ///
    /// `outbox_by_partner_state` held every row, so each delivery's two state changes (leased, then
    /// delivered) moved its entry twice, in the single writer (docs/performance.md). Pending and leased rows of a partner are found through `outbox_head`,
    /// a partner's delivered rows (`redeliver`) through `outbox_event`; other lists walk ids from the
    /// newest, as their `ORDER BY id DESC LIMIT` asks. SQLite only: PostgreSQL keeps its index set.
    static let deadRowsIndexedAlone = SQLiteMigration(
        version: 8,
        name: "dead rows indexed alone",
        sql: """
            DROP INDEX outbox_by_partner_state;
            CREATE INDEX outbox_dead ON outbox (id) WHERE state = 'dead';
            """
    )

    /// A claim's walk starts at the first row it may take: `claimable_at`, the later of a row's
    /// `next_attempt_at` and its `lease_until`, orders `outbox_ready` in place of `next_attempt_at` and
    /// `lease_until`.
    ///
    /// Leased rows are the oldest due rows, so a claim walking `outbox_ready` in `next_attempt_at` order
    /// stepped over every row in flight before the first it could take, inside the single writer, on every
    /// claim. Ordered by `claimable_at`, a leased row sits at its lease's end, past the claim's range until
    /// the lease runs out, so a claim costs the same however many rows are in flight (docs/performance.md).
    /// A lease moved the index entry before too (`lease_until` was in it), so leasing costs the
    /// same. The column is virtual: computed, never stored. PostgreSQL's migration 4 does the same with an
    /// expression index (``PostgresMigration/claimableAt``).
    static let claimableAt = SQLiteMigration(
        version: 9,
        name: "claimable at",
        sql: """
            ALTER TABLE outbox ADD COLUMN claimable_at INTEGER
                GENERATED ALWAYS AS (max(next_attempt_at, coalesce(lease_until, 0))) VIRTUAL;
            DROP INDEX outbox_ready;
            CREATE INDEX outbox_ready ON outbox (claimable_at, id, partner, episode_id)
                WHERE state IN ('pending', 'leased') AND delivery_id IS NOT NULL;
            """
    )

    /// Resources belong to the sender that created them, and each sender's ids name its own resources:
    /// - `resource.owner`: the sender of the message that wrote version 1 (filled from the messages for
    ///   existing rows); only the owner writes new versions;
    /// - `resource_alias`: the ids a sender used for a resource (its `Resource.id`, PUT URL id, transaction
    ///   entry id) → the gateway's id; existing resources get their own id as their owner's alias;
    /// - the business identifier is unique per owner and type, not per type: another sender's referral
    ///   with the same identifier is another resource;
    /// - `episode_member`: the resources each episode holds (its sources, its patient, its participants'
    ///   parties), by gateway reference with the owner of each, for reading by partners and senders;
    ///   filled from the stored documents for existing episodes.
    static let senderIdentity = SQLiteMigration(
        version: 10,
        name: "sender identity",
        sql: """
            ALTER TABLE resource ADD COLUMN owner TEXT NOT NULL DEFAULT '';
            UPDATE resource SET owner = coalesce((
                SELECT m.sender FROM resource_version v JOIN message m ON m.id = v.message_id
                WHERE v.type = resource.type AND v.id = resource.id ORDER BY v.version LIMIT 1), '');
            DROP INDEX resource_identifier_key;
            CREATE UNIQUE INDEX resource_identifier_key ON resource (owner, type, identifier_key)
                WHERE identifier_key IS NOT NULL;

            CREATE TABLE resource_alias (
                owner           TEXT    NOT NULL,
                type            TEXT    NOT NULL,
                alias           TEXT    NOT NULL,
                id              TEXT    NOT NULL,
                PRIMARY KEY (owner, type, alias)
            ) WITHOUT ROWID;
            INSERT INTO resource_alias (owner, type, alias, id) SELECT owner, type, id, id FROM resource;

            CREATE TABLE episode_member (
                episode_id      TEXT    NOT NULL,
                reference       TEXT    NOT NULL,
                owner           TEXT,
                PRIMARY KEY (episode_id, reference)
            ) WITHOUT ROWID;
            CREATE INDEX episode_member_by_reference ON episode_member (reference, episode_id);
            CREATE INDEX episode_member_by_owner ON episode_member (owner, episode_id) WHERE owner IS NOT NULL;
            INSERT OR IGNORE INTO episode_member (episode_id, reference)
            SELECT e.id, j.value FROM episode e, json_tree(CAST(e.document AS TEXT)) j
            WHERE e.status != 'retired' AND j.type = 'text'
                AND (j.fullkey LIKE '$.sources[%' OR j.fullkey = '$.patient.reference'
                    OR j.fullkey GLOB '$.participants[[]*[]].party.reference')
                AND instr(j.value, ':') = 0 AND instr(j.value, '#') = 0 AND instr(j.value, '?') = 0
                AND instr(j.value, '/') > 0;
            UPDATE episode_member SET owner = (
                SELECT r.owner FROM resource r
                WHERE r.type = substr(episode_member.reference, 1, instr(episode_member.reference, '/') - 1)
                    AND r.id = substr(episode_member.reference, instr(episode_member.reference, '/') + 1));
            """
    )

    /// The co-management state in partitions: each group of related resources (one patient's, by the rules
    /// of ``CoManagement/ResourceLinks``) with its own rows and version, so that a message loads and
    /// writes only the partitions it touches and nothing is loaded at start.
    /// - `partition`: one row per partition, its version (bumped by every write) and the time its episodes
    ///   were last evaluated at; room for the mappings version that normalised it;
    /// - `partition_resource`: the held resources of patient-scoped types, each in one partition;
    /// - `partition_name`: every name a partition's resources link by or refer to: how a message finds the
    ///   partitions it touches, and a changed shared resource the partitions that depend on it;
    /// - `shared_resource`, `shared_name`: practitioners, organisations and the other shared types, which
    ///   belong to no partition and are lent to the partitions that refer to them;
    /// - `episode.state`: the episode without its timeline (the timeline is `episode_event`, appended to),
    ///   so a change rewrites the episode's row in place and never its history; `episode.partition_id`.
    /// The held resources of `episode_resource` move into partitions when the store opens
    /// (``PartitionUpgrade``), which then drops it and `episode_book`.
    static let partitions = SQLiteMigration(
        version: 11,
        name: "partitions",
        sql: """
            CREATE TABLE partition (
                id              INTEGER PRIMARY KEY,
                version         INTEGER NOT NULL DEFAULT 0,
                evaluated_at    BLOB,
                mappings_version TEXT
            );
            CREATE TABLE partition_resource (
                key             TEXT    PRIMARY KEY,
                partition_id    INTEGER NOT NULL,
                held            BLOB    NOT NULL,
                arrival         INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX partition_resource_by_partition ON partition_resource (partition_id);
            CREATE TABLE partition_name (
                name            TEXT    NOT NULL,
                partition_id    INTEGER NOT NULL,
                PRIMARY KEY (name, partition_id)
            ) WITHOUT ROWID;
            CREATE INDEX partition_name_by_partition ON partition_name (partition_id);
            CREATE TABLE shared_resource (
                key             TEXT    PRIMARY KEY,
                held            BLOB    NOT NULL,
                arrival         INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE shared_name (
                name            TEXT    NOT NULL,
                key             TEXT    NOT NULL,
                PRIMARY KEY (name, key)
            ) WITHOUT ROWID;

            ALTER TABLE episode RENAME COLUMN document TO state;
            UPDATE episode SET state = CAST(json_set(CAST(state AS TEXT), '$.timeline', json('[]')) AS BLOB);
            ALTER TABLE episode ADD COLUMN partition_id INTEGER;
            CREATE INDEX episode_by_partition ON episode (partition_id) WHERE status != 'retired';
            """
    )

    /// What the mappings missed, and which mappings the store's partitions were normalised with:
    /// - `unmatched_referral`: each held referral (ServiceRequest, Task, CarePlan) in no episode because of
    ///   its codes, with the codes and the mappings version it was last tried with, until an episode takes
    ///   it; listed for operators and normalised again when the mappings change;
    /// - `store_state`: named values the replicas share; `mappings_version` is the version of the mappings
    ///   every replica must run.
    static let unmatchedReferrals = SQLiteMigration(
        version: 12,
        name: "unmatched referrals",
        sql: """
            CREATE TABLE unmatched_referral (
                key             TEXT    PRIMARY KEY,
                partition_id    INTEGER NOT NULL,
                resource_type   TEXT    NOT NULL,
                sender          TEXT    NOT NULL,
                codes           BLOB    NOT NULL,
                service_line    TEXT,
                mappings_version TEXT,
                recorded_at     INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX unmatched_referral_by_partition ON unmatched_referral (partition_id);
            CREATE TABLE store_state (
                name            TEXT    PRIMARY KEY,
                value           TEXT    NOT NULL,
                changed_at      INTEGER NOT NULL
            ) WITHOUT ROWID;
            """
    )
}
