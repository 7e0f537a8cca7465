import PostgresNIO

extension PostgresSession {
    /// Any number that names the migration lock among the database's advisory locks.
    private static let migrationLock: Int64 = 0x7461_6E64_656D  // "tandem"

    /// Brings the schema up to the newest ``PostgresMigration``; returns the versions it applied.
    ///
    /// Replicas that start together take turns through a session-level advisory lock, so one applies the
    /// migrations (and moves an older episode book into partitions, ``upgradeToPartitions()``) and the
    /// others find them applied.
    ///
    /// - Throws: ``StoreError/Code/migration`` when a migration fails (its transaction is rolled back, so
    ///   the database stays at the previous version) or when the database is newer than this build.
    @discardableResult
    func migrate(
        _ migrations: [PostgresMigration] = PostgresMigration.all,
        now: Int64
    ) async throws(StoreError) -> [Int] {
        try await self.query("SELECT pg_advisory_lock(\(Self.migrationLock))")
        let result: Result<[Int], StoreError>
        do {
            let applied = try await self.applyPending(migrations, now: now)
            if migrations.contains(where: { $0.version == PostgresMigration.partitions.version }) {
                if let upgrade = try await self.upgradeToPartitions() {
                    self.logger.info(
                        "episode book moved into partitions",
                        metadata: [
                            "tandem.store.partitions": "\(upgrade.partitions.count)",
                            "tandem.store.sharedResources": "\(upgrade.shared.count)",
                        ]
                    )
                }
            }
            result = .success(applied)
        } catch {
            result = .failure(error)
        }
        _ = try? await self.query("SELECT pg_advisory_unlock(\(Self.migrationLock))")
        return try result.get()
    }

    /// What a replica does after migrating, one replica at a time (under the migration lock): gives the
    /// configuration's subscriptions their rows and event sequences, episodes written before migration 18
    /// their measure facts, and indexes the stored resources for search when the index is older than
    /// `indexing`'s rules. Returns how many resources it indexed.
    func prepare(
        subscriptions: [String],
        indexing: (any SearchIndexing)?,
        at: Int64
    ) async throws(StoreError) -> Int {
        try await self.query("SELECT pg_advisory_lock(\(Self.migrationLock))")
        let result: Result<Int, StoreError>
        do {
            try await self.transaction { (session) throws(StoreError) in
                try await session.registerConfiguredSubscriptions(subscriptions, at: at)
            }
            let filled = try await self.fillMeasureFacts()
            if filled > 0 {
                self.logger.info("episodes given measure facts", metadata: ["tandem.store.episodes": "\(filled)"])
            }
            if let indexing {
                result = .success(try await self.reindexSearch(indexing, at: at))
            } else {
                result = .success(0)
            }
        } catch {
            result = .failure(error)
        }
        _ = try? await self.query("SELECT pg_advisory_unlock(\(Self.migrationLock))")
        return try result.get()
    }

    /// The schema version the database is at.
    func schemaVersion() async throws(StoreError) -> Int {
        let row = try await self.query("SELECT coalesce(max(version), 0) FROM schema_migration").first
        return Int(try row?.columns(Int64.self) ?? 0 as Int64)
    }

    private func applyPending(_ migrations: [PostgresMigration], now: Int64) async throws(StoreError) -> [Int] {
        try await self.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migration (
                version     bigint  PRIMARY KEY,
                name        text    NOT NULL,
                applied_at  bigint  NOT NULL
            )
            """
        )
        // Every migration not recorded yet, not only those above the newest recorded: changes made side by
        // side keep the numbers they were given, so a database may have 14 and not yet 12.
        var recorded: Set<Int> = []
        for row in try await self.query("SELECT version FROM schema_migration") {
            recorded.insert(Int(try row.columns(Int64.self) as Int64))
        }
        let current = recorded.max() ?? 0
        if let newest = migrations.last?.version, current > newest {
            throw StoreError(.migration, "database schema version \(current) is newer than this build (\(newest))")
        }
        var applied: [Int] = []
        for migration in migrations where !recorded.contains(migration.version) {
            do {
                try await self.transaction { (session) throws(StoreError) in
                    for statement in migration.statements {
                        try await session.execute(statement)
                    }
                    try await session.query(
                        """
                        INSERT INTO schema_migration (version, name, applied_at)
                        VALUES (\(Int64(migration.version)), \(migration.name), \(now))
                        """
                    )
                }
                applied.append(migration.version)
            } catch {
                throw StoreError(
                    .migration,
                    "migration \(migration.version) (\(migration.name)) failed: \(error.message)",
                    sqlState: error.sqlState
                )
            }
        }
        return applied
    }
}
