extension SQLiteConnection {
    /// Settings for the connection that writes: WAL so readers never block it, `synchronous=FULL` so a
    /// commit is on disk before it returns (the HTTP answer waits for that), a busy timeout for the rare
    /// second process (`tandem migrate`), and enforced foreign keys.
    ///
    /// A 32 MiB page cache (SQLite's default is 2 MiB): the indexes every ingest touches stay in memory
    /// instead of being read back from the file for each statement.
    ///
    /// `temp_store = MEMORY` keeps the statement journals in memory: every message runs in a savepoint of
    /// its group, and a savepoint's journal (the original of each page it changes) otherwise spills into a
    /// temporary file the writer writes beside the WAL (docs/performance.md).
    ///
    /// With `backgroundCheckpoints`, the writer never checkpoints itself (`wal_autocheckpoint = 0`):
    /// an automatic checkpoint runs inside the COMMIT that crosses the threshold, copying the WAL into
    /// the database and syncing it while every request of the group waits, which is the ingest latency
    /// tail. The store's ``Checkpointer`` does it on its own connection instead.
    ///
    /// See https://www.sqlite.org/wal.html and https://www.sqlite.org/pragma.html#pragma_synchronous.
    func configureForWriting(busyTimeoutMilliseconds: Int, backgroundCheckpoints: Bool = false) throws(StoreError) {
        try self.execute(
            """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA busy_timeout = \(busyTimeoutMilliseconds);
            PRAGMA foreign_keys = ON;
            PRAGMA wal_autocheckpoint = \(backgroundCheckpoints ? 0 : 1000);
            PRAGMA cache_size = -32768;
            PRAGMA temp_store = MEMORY;
            """
        )
    }

    /// Settings for the checkpointing connection: it writes nothing but checkpoints, with the writer's
    /// durability (the checkpoint syncs the database file before the WAL may be reused).
    func configureForCheckpointing(busyTimeoutMilliseconds: Int) throws(StoreError) {
        try self.execute(
            """
            PRAGMA synchronous = FULL;
            PRAGMA busy_timeout = \(busyTimeoutMilliseconds);
            PRAGMA wal_autocheckpoint = 0;
            """
        )
    }

    /// A `PASSIVE` checkpoint: copies what the WAL holds into the database as far as readers allow,
    /// without waiting for, or blocking, the writer.
    ///
    /// - Returns: the WAL's size in frames and how many of them are now in the database.
    mutating func checkpointPassively() throws(StoreError) -> (walFrames: Int, checkpointed: Int) {
        let row = try self.query("PRAGMA wal_checkpoint(PASSIVE)").first
        return (row?.int(1) ?? 0, row?.int(2) ?? 0)
    }

    /// Settings for a reading connection: it may never write, even by mistake.
    func configureForReading(busyTimeoutMilliseconds: Int) throws(StoreError) {
        try self.execute(
            """
            PRAGMA busy_timeout = \(busyTimeoutMilliseconds);
            PRAGMA query_only = ON;
            PRAGMA cache_size = -16384;
            """
        )
    }

    /// Brings the schema up to the newest ``SQLiteMigration``, applying each one the database has not
    /// recorded, in version order; returns the versions it applied.
    ///
    /// - Throws: ``StoreError/Code/migration`` when a migration fails (its transaction is rolled back, so
    ///   the database stays at the previous version) or when the database is newer than this build.
    @discardableResult
    mutating func migrate(
        _ migrations: [SQLiteMigration] = SQLiteMigration.all,
        now: Int64
    ) throws(StoreError) -> [Int] {
        try self.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migration (
                version     INTEGER PRIMARY KEY,
                name        TEXT    NOT NULL,
                applied_at  INTEGER NOT NULL
            );
            """
        )
        // Every migration not recorded yet, not only those above the newest recorded: changes made side by
        // side keep the numbers they were given, so a database may have 19 and not yet 17.
        let recorded = Set(try self.query("SELECT version FROM schema_migration").compactMap { $0.int(0) })
        let current = recorded.max() ?? 0
        if let newest = migrations.last?.version, current > newest {
            throw StoreError(.migration, "database schema version \(current) is newer than this build (\(newest))")
        }
        var applied: [Int] = []
        for migration in migrations where !recorded.contains(migration.version) {
            // PRAGMA foreign_keys is a no-op inside a transaction, so it is switched around it.
            let foreignKeys = migration.rebuildsTables ? try self.query("PRAGMA foreign_keys").first?.int(0) ?? 0 : 0
            if migration.rebuildsTables { try self.execute("PRAGMA foreign_keys = OFF") }
            defer { if foreignKeys != 0 { try? self.execute("PRAGMA foreign_keys = ON") } }
            do throws(StoreError) {
                // IMMEDIATE takes the write lock at once, so two processes cannot both migrate.
                try self.execute("BEGIN IMMEDIATE")
                try self.execute(migration.sql)
                if migration.rebuildsTables, let broken = try self.query("PRAGMA foreign_key_check").first {
                    throw StoreError(.migration, "the rebuild broke a foreign key in table \(broken.text(0) ?? "?")")
                }
                try self.query(
                    "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)",
                    [.integer(Int64(migration.version)), .text(migration.name), .integer(now)]
                )
                try self.execute("COMMIT")
                applied.append(migration.version)
            } catch {
                try? self.execute("ROLLBACK")
                throw StoreError(
                    .migration,
                    "migration \(migration.version) (\(migration.name)) failed: \(error.message)",
                    sqliteCode: error.sqliteCode
                )
            }
        }
        return applied
    }

    /// The schema version the database is at.
    mutating func schemaVersion() throws(StoreError) -> Int {
        try self.query("SELECT coalesce(max(version), 0) FROM schema_migration").first?.int(0) ?? 0
    }
}
