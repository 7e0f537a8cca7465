extension SQLiteMigration {
    /// The timers' due-time index: `partition.due_at` is the earliest deadline (milliseconds since 1970) of
    /// the partition's episodes not yet passed when they were last evaluated (``CoManagement/EpisodeBook/nextDue``),
    /// NULL when nothing is pending; `partition_due` finds the partitions due without reading the others.
    /// Partitions from before it are due at once (0), so the first timer run computes their deadlines: a
    /// timer fires late rather than never.
    static let timers = SQLiteMigration(
        version: 15,
        name: "timers",
        sql: """
            ALTER TABLE partition ADD COLUMN due_at INTEGER;
            UPDATE partition SET due_at = 0;
            CREATE INDEX partition_due ON partition (due_at, id) WHERE due_at IS NOT NULL;
            """
    )
}
