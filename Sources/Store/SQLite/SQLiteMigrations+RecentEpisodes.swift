extension SQLiteMigration {
    /// The live episodes most recently changed first, as `GET /episodes`, the console and a partner's or
    /// sender's list ask for them: a list of N walks N entries (and those its filters pass over) instead of
    /// reading and sorting every episode. The key is the change time, so a new episode's entry appends.
    static let recentEpisodes = SQLiteMigration(
        version: 22,
        name: "recent episodes",
        sql: """
            CREATE INDEX episode_recent ON episode (updated_at DESC, id) WHERE status != 'retired';
            """
    )
}
