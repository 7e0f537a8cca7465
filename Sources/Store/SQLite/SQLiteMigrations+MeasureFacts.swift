extension SQLiteMigration {
    /// Each episode's measure facts (``CoManagement/MeasureFacts``, JSON) beside its state, written with it,
    /// so measures read a few figures per episode instead of every episode and its timeline. Rows written
    /// before it are filled at start from their state and events (``SQLiteConnection/fillMeasureFacts()``).
    static let measureFacts = SQLiteMigration(
        version: 21,
        name: "measure facts",
        sql: """
            ALTER TABLE episode ADD COLUMN measure BLOB;
            -- The rows still to fill: empty once they are, as every row written since has its facts, so
            -- finding none at start reads nothing however many episodes there are.
            CREATE INDEX episode_without_measure ON episode (id) WHERE measure IS NULL;
            """
    )
}
