package import Logging

extension SQLiteStore {
    /// Opens a store (as ``open(at:configuration:normaliser:outboxPlanning:logger:)`` does, with no
    /// normaliser) whose database also holds `appended_body`, the table ``append(_:)`` writes to.
    ///
    /// For `tandem-bench durable-floor`: the cost of accepting a message durably and nothing more, paid
    /// through the very writer, group commit, WAL settings and checkpointer the gateway's ingest uses.
    /// Not for a gateway's database: the table is no part of its schema.
    ///
    /// With `indexes` the database also holds the tables of ``AppendedIndexes``, and each append adds one
    /// entry to each of them, so the floor can be measured with the index entries a message must add.
    ///
    /// - Throws: ``StoreError`` when the file cannot be opened or the table cannot be made.
    package static func openForAppending(
        at location: StoreLocation,
        configuration: Configuration = Configuration(),
        indexes: AppendedIndexes = AppendedIndexes(),
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
                    for table in indexes.tables {
                        try connection.execute(
                            "CREATE TABLE IF NOT EXISTS \(table) (key BLOB PRIMARY KEY, body INTEGER NOT NULL) WITHOUT ROWID"
                        )
                    }
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
    /// - Important: only on a store opened with ``openForAppending(at:configuration:indexes:logger:)``, whose
    ///   writer (``run()``) is running.
    /// - Throws: ``StoreError`` when the group does not commit or the store is closing.
    ///
    /// With `indexes` (those the store was opened with) the same transaction adds an entry pointing at the
    /// body to each of their tables.
    package func append(_ body: [UInt8], indexes: AppendedIndexes = AppendedIndexes()) async throws(StoreError) {
        var generator = SystemRandomNumberGenerator()
        let randomKeys = (0..<indexes.random).map { _ in
            [generator.next() as UInt64, generator.next()].flatMap(AppendedIndexes.bigEndianBytes)
        }
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            _ = try connection.query("INSERT INTO appended_body (body) VALUES (?)", [.blob(body)])
            let row = connection.lastInsertedRowID
            let orderedKey = AppendedIndexes.bigEndianBytes(UInt64(row))
            let keys = randomKeys + Array(repeating: orderedKey, count: indexes.ordered)
            for (table, key) in zip(indexes.tables, keys) {
                _ = try connection.query("INSERT INTO \(table) (key, body) VALUES (?, ?)", [.blob(key), .integer(row)])
            }
        }
    }
}

/// The index entries the durable floor adds per appended body, beside the body's own row, in tables of
/// their own (`WITHOUT ROWID`, keyed by a blob, pointing at the body):
/// - ``random`` tables `appended_random_1` … keyed by 16 random bytes, as an index on a sender's
///   identifier, a patient's partition name or an episode id is: each entry lands on a page of its own;
/// - ``ordered`` tables `appended_ordered_1` … keyed by the body's row id, as an index on a time-ordered
///   id, a partition's number or a time is: the entries of a group land on the index's last page.
package struct AppendedIndexes: Sendable, Equatable {
    package var random: Int
    package var ordered: Int

    package init(random: Int = 0, ordered: Int = 0) {
        self.random = max(0, random)
        self.ordered = max(0, ordered)
    }

    /// The random tables, then the ordered ones.
    var tables: [String] {
        (0..<self.random).map { "appended_random_\($0 + 1)" } + (0..<self.ordered).map { "appended_ordered_\($0 + 1)" }
    }

    static func bigEndianBytes(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
