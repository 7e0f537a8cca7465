extension PostgresMigration {
    /// A type's current resources in the order searches page them (`_lastUpdated`, then id, either way):
    /// a page of N walks N entries and those its filters pass over, instead of joining and sorting every
    /// resource of the type. The key is the update time, so a new resource's entry appends.
    static let resourcesByUpdate = PostgresMigration(
        version: 21,
        name: "resources by last update",
        sql: """
            CREATE INDEX resource_by_update ON resource (type, last_updated, id) WHERE NOT deleted;
            """
    )
}
