import PostgresNIO
import Testing

@testable import Store

@Suite struct MigrationTests {
    @Test func freshDatabaseGetsEveryMigrationOnce() throws {
        var connection = try SQLiteConnection(path: ":memory:", readOnly: false)
        #expect(try connection.migrate(now: 1) == SQLiteMigration.all.map(\.version))
        #expect(try connection.migrate(now: 2) == [])
        #expect(try connection.schemaVersion() == SQLiteMigration.all.last?.version)
        let tables = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .compactMap { $0.text(0) }
        for table in ["audit", "episode", "episode_event", "message", "outbox", "resource", "resource_version"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
    }

    @Test func laterMigrationIsAppliedOnTopOfEarlierOnes() throws {
        var connection = try SQLiteConnection(path: ":memory:", readOnly: false)
        try connection.migrate(now: 1)
        let next = SQLiteMigration(
            version: (SQLiteMigration.all.last?.version ?? 0) + 1,
            name: "test",
            sql: "CREATE TABLE extra (x INTEGER);"
        )
        #expect(try connection.migrate(SQLiteMigration.all + [next], now: 2) == [next.version])
        #expect(try connection.schemaVersion() == next.version)
    }

    @Test func aMigrationNumberedBelowTheNewestRecordedIsStillApplied() throws {
        // A database main migrated to 19 before the Subscriptions (17, 18) were merged.
        var connection = try SQLiteConnection(path: ":memory:", readOnly: false)
        let earlier = SQLiteMigration.all.filter { ![17, 18].contains($0.version) }
        #expect(try connection.migrate(earlier, now: 1).contains(19))
        #expect(try connection.query("SELECT name FROM sqlite_master WHERE name = 'subscription'").isEmpty)
        #expect(try connection.migrate(now: 2) == [17, 18])
        #expect(try connection.query("SELECT name FROM sqlite_master WHERE name = 'subscription'").count == 1)
        #expect(try connection.migrate(now: 3) == [])
    }

    @Test func failingMigrationLeavesThePreviousVersion() throws {
        var connection = try SQLiteConnection(path: ":memory:", readOnly: false)
        try connection.migrate(now: 1)
        let broken = SQLiteMigration(
            version: (SQLiteMigration.all.last?.version ?? 0) + 1,
            name: "broken",
            sql: "CREATE TABLE t (x); SELECT nope FROM nowhere;"
        )
        let error = #expect(throws: StoreError.self) { try connection.migrate(SQLiteMigration.all + [broken], now: 2) }
        #expect(error?.code == .migration)
        #expect(try connection.schemaVersion() == SQLiteMigration.all.last?.version)
        #expect(try connection.query("SELECT name FROM sqlite_master WHERE name = 't'").isEmpty)
    }

    @Test func databaseNewerThanTheBuildIsRefused() throws {
        var connection = try SQLiteConnection(path: ":memory:", readOnly: false)
        try connection.migrate(now: 1)
        try connection.query("INSERT INTO schema_migration (version, name, applied_at) VALUES (999, 'future', 0)")
        let error = #expect(throws: StoreError.self) { try connection.migrate(now: 2) }
        #expect(error?.code == .migration)
    }

    @Test func storeURLsAreParsed() throws {
        #expect(try StoreLocation(url: "sqlite:./data/tandem.sqlite") == .file("./data/tandem.sqlite"))
        #expect(try StoreLocation(url: "sqlite:///var/lib/tandem.sqlite") == .file("/var/lib/tandem.sqlite"))
        #expect(try StoreLocation(url: "sqlite::memory:") == .memory)
        #expect(throws: StoreError.self) { try StoreLocation(url: "postgres://db/tandem") }
        #expect(throws: StoreError.self) { try StoreLocation(url: "sqlite:") }
    }
}

@Suite struct PostgresMigrationTests {
    @Test func freshDatabaseGetsEveryMigrationOnceAndANewerOneIsRefused() async throws {
        try await withTestDatabase(.postgres) { database in
            guard case .postgres(let endpoint) = database.url else { return }
            let logger = Backend.logger
            let versions = try await PostgresStore.withSession(at: endpoint, logger: logger) {
                (session) throws(StoreError) -> [[Int]] in
                [try await session.migrate(now: 1), try await session.migrate(now: 2)]
            }
            #expect(versions == [PostgresMigration.all.map(\.version), []])
            let broken = PostgresMigration(
                version: (PostgresMigration.all.last?.version ?? 0) + 1,
                name: "broken",
                sql: "CREATE TABLE t (x bigint);\nSELECT nope FROM nowhere;\n"
            )
            let failure = await #expect(throws: StoreError.self) {
                try await PostgresStore.withSession(at: endpoint, logger: logger) { (session) throws(StoreError) in
                    try await session.migrate(PostgresMigration.all + [broken], now: 3)
                }
            }
            #expect(failure?.code == .migration)
            let after = try await PostgresStore.withSession(at: endpoint, logger: logger) {
                (session) throws(StoreError) -> Int in
                try await session.query("INSERT INTO schema_migration VALUES (999, 'future', 0)")
                return try await session.schemaVersion()
            }
            #expect(after == 999)
            let newer = await #expect(throws: StoreError.self) {
                try await PostgresStore.withSession(at: endpoint, logger: logger) { (session) throws(StoreError) in
                    try await session.migrate(now: 4)
                }
            }
            #expect(newer?.code == .migration)
        }
    }

    @Test func aMigrationNumberedBelowTheNewestRecordedIsStillApplied() async throws {
        // A database main migrated to 14 before the Subscriptions (12, 13) were merged.
        try await withTestDatabase(.postgres) { database in
            guard case .postgres(let endpoint) = database.url else { return }
            let versions = try await PostgresStore.withSession(at: endpoint, logger: Backend.logger) {
                (session) throws(StoreError) -> [[Int]] in
                let earlier = PostgresMigration.all.filter { ![12, 13].contains($0.version) }
                return [
                    try await session.migrate(earlier, now: 1), try await session.migrate(now: 2),
                    try await session.migrate(now: 3),
                ]
            }
            #expect(versions.first?.contains(14) == true)
            #expect(versions.dropFirst() == [[12, 13], []])
        }
    }

    @Test func migrationTwoKeepsRowsAndMakesEventNumbersUniqueOverOriginalsOnly() async throws {
        try await withTestDatabase(.postgres) { database in
            guard case .postgres(let endpoint) = database.url else { return }
            let outcome = try await PostgresStore.withSession(at: endpoint, logger: Backend.logger) {
                (session) throws(StoreError) -> ([Int], [Int64], StoreError?) in
                func insert(_ deliveryID: String, redeliveryOf original: String? = nil) async throws(StoreError) {
                    try await session.query(
                        """
                        INSERT INTO outbox (partner, episode_id, event_number, payload_ref, next_attempt_at, created_at,
                            delivery_id, redelivery_of)
                        VALUES ('a', 'ep-1', 1, 'Task/t', 1000, 1000, \(deliveryID), \(original))
                        """
                    )
                }
                try await session.migrate(Array(PostgresMigration.all.prefix(1)), now: 1)
                try await session.query(
                    """
                    INSERT INTO outbox (partner, episode_id, event_number, payload_ref, next_attempt_at, created_at,
                        delivery_id)
                    VALUES ('a', 'ep-1', 1, 'Task/t', 1000, 1000, 'a-ep-1-1')
                    """
                )
                let applied = try await session.migrate(now: 2)
                // A redelivery repeats its original's event number; a second original may not.
                try await insert("copy", redeliveryOf: "a-ep-1-1")
                var refused: StoreError?
                do throws(StoreError) {
                    try await insert("again")
                } catch {
                    refused = error
                }
                var bases: [Int64] = []
                for row in try await session.query("SELECT attempt_base FROM outbox ORDER BY id") {
                    bases.append(try row.columns(Int64.self))
                }
                return (applied, bases, refused)
            }
            #expect(outcome.0 == Array(PostgresMigration.all.map(\.version).dropFirst()))
            #expect(outcome.1 == [0, 0])
            #expect(outcome.2?.code == .duplicate)
        }
    }

    @Test func storeURLsChooseTheBackend() throws {
        #expect(try StoreURL("sqlite::memory:") == .sqlite(.memory))
        let endpoint = PostgresEndpoint(
            host: "db.internal",
            port: 6543,
            username: "tandem",
            password: "s3cret/x",
            database: "gateway",
            tls: .require
        )
        #expect(
            try StoreURL("postgres://tandem:s3cret%2Fx@db.internal:6543/gateway?sslmode=require") == .postgres(endpoint)
        )
        #expect(
            try StoreURL("postgresql://tandem@db/gateway")
                == .postgres(.init(host: "db", username: "tandem", database: "gateway"))
        )
        #expect(try StoreURL("postgres://tandem:pw@db/gateway").description == "postgres://tandem@db:5432/gateway")
        for bad in ["mysql://x@y/z", "postgres://db/gateway", "postgres://u@db", "postgres://u@db/g?sslmode=maybe"] {
            #expect(throws: StoreError.self, "\(bad)") { try StoreURL(bad) }
        }
    }
}
