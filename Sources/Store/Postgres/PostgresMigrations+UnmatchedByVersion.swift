extension PostgresMigration {
    /// The unmatched referrals by the mappings version they were last tried with, then partition: finding
    /// those another version left (a few versions, probed from either side of the current one) and the next
    /// partitions of one of them each take a walk of what they return, so normalising them all again after
    /// a mappings change is linear in their number, and finding none at start reads next to nothing. And by
    /// when they were found, newest first, as they are listed (`GET /unmatched`, the console).
    static let unmatchedByVersion = PostgresMigration(
        version: 20,
        name: "unmatched referrals by mappings version and by time",
        sql: """
            CREATE INDEX unmatched_referral_by_version ON unmatched_referral (mappings_version, partition_id);
            CREATE INDEX unmatched_referral_recent ON unmatched_referral (recorded_at DESC, key);
            """
    )
}
