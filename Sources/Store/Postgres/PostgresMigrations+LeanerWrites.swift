extension PostgresMigration {
    /// SQLite's migration 19 (``SQLiteMigration/leanerWrites``) in PostgreSQL's terms: one index on
    /// `episode_member` (by reference), the member list and owners on the episode row, events keyed by
    /// partition without a foreign key to their episode, partition resources keyed by partition.
    static let leanerWrites = PostgresMigration(
        version: 14,
        name: "leaner writes",
        sql: """
            ALTER TABLE episode ADD COLUMN members text NOT NULL DEFAULT '';
            ALTER TABLE episode ADD COLUMN owners text NOT NULL DEFAULT '';
            UPDATE episode e SET
                members = coalesce((SELECT string_agg(m.reference, E'\\n' ORDER BY m.reference)
                    FROM episode_member m WHERE m.episode_id = e.id), ''),
                owners = coalesce((SELECT ',' || string_agg(DISTINCT m.owner, ',' ORDER BY m.owner) || ','
                    FROM episode_member m WHERE m.episode_id = e.id AND m.owner IS NOT NULL AND m.owner != ''), '');
            DROP INDEX episode_member_by_reference;
            DROP INDEX episode_member_by_owner;
            ALTER TABLE episode_member DROP CONSTRAINT episode_member_pkey;
            ALTER TABLE episode_member DROP COLUMN owner;
            ALTER TABLE episode_member ADD PRIMARY KEY (reference, episode_id);

            ALTER TABLE episode_event ADD COLUMN partition_id bigint;
            UPDATE episode_event v SET partition_id = coalesce(e.partition_id, 0) FROM episode e WHERE e.id = v.episode_id;
            UPDATE episode_event SET partition_id = 0 WHERE partition_id IS NULL;
            ALTER TABLE episode_event ALTER COLUMN partition_id SET NOT NULL;
            ALTER TABLE episode_event DROP CONSTRAINT episode_event_episode_id_fkey;
            ALTER TABLE episode_event DROP CONSTRAINT episode_event_episode_id_number_key;
            ALTER TABLE episode_event ADD PRIMARY KEY (partition_id, episode_id, number);

            ALTER TABLE partition_resource DROP CONSTRAINT partition_resource_pkey;
            DROP INDEX partition_resource_by_partition;
            ALTER TABLE partition_resource ADD PRIMARY KEY (partition_id, key);
            """
    )
}
