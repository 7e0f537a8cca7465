package import Logging

extension SQLiteStore {
    /// Opens a store (as ``open(at:configuration:normaliser:outboxPlanning:logger:)`` does, with no
    /// normaliser) whose database also holds `appended_body`, the table ``append(_:)`` writes to.
    ///
    /// For `tandem-bench durable-floor`: the cost of accepting a message durably and nothing more, paid
    /// through the very writer, group commit, WAL settings and checkpointer the gateway's ingest uses.
    /// Not for a gateway's database: the table is no part of its schema.
    ///
    /// - Throws: ``StoreError`` when the file cannot be opened or the table cannot be made.
    package static func openForAppending(
        at location: StoreLocation,
        configuration: Configuration = Configuration(),
        logger: Logger
    ) async throws(StoreError) -> SQLiteStore {
        let store = try await Self.open(at: location, configuration: configuration, logger: logger)
        do throws(StoreError) {
            // On the writer's connection before its loop runs: no write can come before the table.
            try await Self.run(on: store.threadPool) { () throws(StoreError) in
                try store.writer.withConnection { (connection: inout SQLiteConnection) throws(StoreError) in
                    try connection.execute(
                        "CREATE TABLE IF NOT EXISTS appended_body (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"
                    )
                }
            }
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Appends `body` as one row of `appended_body` in the writer's next group, and returns once that
    /// group has committed (``write(_:)``): a durable acceptance, as an ingest's answer waits for one.
    ///
    /// - Important: only on a store opened with ``openForAppending(at:configuration:logger:)``, whose
    ///   writer (``run()``) is running.
    /// - Throws: ``StoreError`` when the group does not commit or the store is closing.
    package func append(_ body: [UInt8]) async throws(StoreError) {
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            _ = try connection.query("INSERT INTO appended_body (body) VALUES (?)", [.blob(body)])
        }
    }
}
