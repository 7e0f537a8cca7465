extension SQLiteMigration {
    /// Fewer B-trees written per message, and those in the order rows arrive where the model allows
    /// (docs/performance.md has what each cost):
    /// - `episode_member` is one tree keyed by the reference (which episodes hold a resource); the episode
    ///   row keeps its own member list (`members`, one reference per line) and the senders owning them
    ///   (`owners`, `,a,b,`), so changing the members needs no lookup by episode and listing a sender's
    ///   episodes no index of its own;
    /// - `episode_event` is keyed by partition, episode and number, so the events of a new partition's
    ///   episodes append; an event no longer names its episode by foreign key (the writer keeps them
    ///   together, and a re-keyed episode's row may go without a scan of every event);
    /// - `partition_resource` is keyed by partition and key, so a new partition's resources append and no
    ///   second index finds them by partition.
    static let leanerWrites = SQLiteMigration(
        version: 19,
        name: "leaner writes",
        sql: """
            ALTER TABLE episode ADD COLUMN members TEXT NOT NULL DEFAULT '';
            ALTER TABLE episode ADD COLUMN owners TEXT NOT NULL DEFAULT '';
            UPDATE episode SET
                members = coalesce((SELECT group_concat(reference, char(10)) FROM (
                    SELECT reference FROM episode_member m WHERE m.episode_id = episode.id ORDER BY reference)), ''),
                owners = coalesce((SELECT ',' || group_concat(owner, ',') || ',' FROM (
                    SELECT DISTINCT owner FROM episode_member m
                    WHERE m.episode_id = episode.id AND owner IS NOT NULL AND owner != '' ORDER BY owner)), '');
            CREATE TABLE episode_member_by_reference_new (
                reference       TEXT    NOT NULL,
                episode_id      TEXT    NOT NULL,
                PRIMARY KEY (reference, episode_id)
            ) WITHOUT ROWID;
            INSERT INTO episode_member_by_reference_new (reference, episode_id)
                SELECT reference, episode_id FROM episode_member;
            DROP TABLE episode_member;
            ALTER TABLE episode_member_by_reference_new RENAME TO episode_member;

            CREATE TABLE episode_event_new (
                partition_id    INTEGER NOT NULL,
                episode_id      TEXT    NOT NULL,
                number          INTEGER NOT NULL,
                kind            TEXT    NOT NULL,
                payload         BLOB    NOT NULL,
                message_id      INTEGER REFERENCES message (id),
                recorded_at     INTEGER NOT NULL,
                PRIMARY KEY (partition_id, episode_id, number)
            ) WITHOUT ROWID;
            INSERT INTO episode_event_new (partition_id, episode_id, number, kind, payload, message_id, recorded_at)
                SELECT coalesce(e.partition_id, 0), v.episode_id, v.number, v.kind, v.payload, v.message_id,
                    v.recorded_at
                FROM episode_event v LEFT JOIN episode e ON e.id = v.episode_id;
            DROP TABLE episode_event;
            ALTER TABLE episode_event_new RENAME TO episode_event;

            CREATE TABLE partition_resource_new (
                partition_id    INTEGER NOT NULL,
                key             TEXT    NOT NULL,
                held            BLOB    NOT NULL,
                arrival         INTEGER NOT NULL,
                PRIMARY KEY (partition_id, key)
            ) WITHOUT ROWID;
            INSERT INTO partition_resource_new (partition_id, key, held, arrival)
                SELECT partition_id, key, held, arrival FROM partition_resource;
            DROP TABLE partition_resource;
            ALTER TABLE partition_resource_new RENAME TO partition_resource;
            """,
        rebuildsTables: true
    )
}
