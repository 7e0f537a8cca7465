extension PostgresMigration {
    /// `tandem_partitions_named(names, probed)`: the first round trip of a message's normalisation
    /// (``PostgresSession/lockNamesFindingPartitions(_:probing:)``) in one call.
    ///
    /// It takes the advisory locks of the linking `names` in one sorted pass, reserves the message's block
    /// of arrival numbers (an `a` row), then reads, in a query of its own, the shared names among `probed`
    /// (`s` rows), the partitions each of `names` leads to (`p` rows) and a fresh partition id when none
    /// does (an `n` row). A `VOLATILE` function takes a new snapshot for each query it runs, so the reads
    /// see what the transactions that held the locks committed; one statement could not, since its
    /// snapshot is taken before it waits. Each name is probed on its own (`OFFSET 0`), as
    /// ``PreparedStatementText`` asks of every lookup.
    static let partitionsNamedUnderLocks = PostgresMigration(
        version: 17,
        name: "partitions named under their locks",
        statements: [
            """
            CREATE FUNCTION tandem_partitions_named(names text[], probed text[])
                RETURNS TABLE (found_kind text, found_name text, found_id bigint)
                LANGUAGE plpgsql VOLATILE AS $function$
            DECLARE
                reserved bigint;
            BEGIN
                PERFORM count(locked) FROM (
                    SELECT pg_advisory_xact_lock(h) AS locked FROM (
                        SELECT DISTINCT hashtextextended('partition-name|' || n, 0) AS h FROM unnest(names) AS n
                    ) AS hashed ORDER BY h
                ) AS locks;
                reserved := nextval('held_arrival');
                RETURN QUERY
                    WITH named AS MATERIALIZED (
                        SELECT l.name, p.partition_id FROM unnest(names) AS l(name)
                            CROSS JOIN LATERAL (
                                SELECT pn.partition_id FROM partition_name AS pn WHERE pn.name = l.name OFFSET 0
                            ) AS p
                    )
                    SELECT 'a'::text, ''::text, reserved
                    UNION ALL
                    SELECT DISTINCT 's'::text, l.name, NULL::bigint FROM unnest(probed) AS l(name)
                        CROSS JOIN LATERAL (SELECT sn.key FROM shared_name AS sn WHERE sn.name = l.name OFFSET 0) AS s
                    UNION ALL
                    SELECT 'p'::text, named.name, named.partition_id FROM named
                    UNION ALL
                    SELECT 'n'::text, ''::text, nextval('partition_id_seq')
                    WHERE cardinality(names) > 0 AND NOT EXISTS (SELECT 1 FROM named);
            END
            $function$
            """
        ]
    )
}
