import CoManagement
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

@testable import Store

/// The backends the shared store suite runs against: every test taking a `Backend` runs once per case.
///
/// PostgreSQL comes from `TANDEM_TEST_POSTGRES_URL` (a server URL whose user may create databases; each
/// test gets a database of its own, dropped afterwards). Unset, the PostgreSQL cases are cancelled and
/// reported as skipped, except under `CI=true`, where a missing PostgreSQL fails them: CI must run them.
enum Backend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { self.rawValue }

    static let logger = Logger(label: "tandem.test.store", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// A fresh, empty database of one backend, for tests that open more than one store on it.
struct TestDatabase: Sendable {
    let url: StoreURL
    var dropPostgres: PostgresEndpoint? = nil
    var directory: URL? = nil

    /// A SQLite file in a temporary directory, or a new PostgreSQL database.
    static func make(_ backend: Backend) async throws -> TestDatabase {
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "tandem-store-\(UUID().uuidString)"
            )
            let location = StoreLocation.file(directory.appendingPathComponent("data/tandem.sqlite").path)
            return TestDatabase(url: .sqlite(location), dropPostgres: nil, directory: directory)
        case .postgres:
            let server = try TestPostgres.server()
            let name = "tandem_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
            try await TestPostgres.administer(server, "CREATE DATABASE \(name)")
            var endpoint = server
            endpoint.database = name
            return TestDatabase(url: .postgres(endpoint), dropPostgres: endpoint, directory: nil)
        }
    }

    func cleanUp() async {
        if let directory { try? FileManager.default.removeItem(at: directory) }
        if let endpoint = self.dropPostgres, let server = try? TestPostgres.server() {
            try? await TestPostgres.administer(server, "DROP DATABASE IF EXISTS \(endpoint.database) WITH (FORCE)")
        }
    }

    /// Opens a store on this database.
    func open(
        normaliser: Normaliser? = nil,
        outboxPlanning: (any OutboxPlanning)? = nil,
        searchIndexing: (any SearchIndexing)? = nil
    ) async throws -> any OutboxStore {
        switch self.url {
        case .postgres(let endpoint):
            // Few connections each: many tests run at once against one test server.
            try await PostgresStore.open(
                at: endpoint,
                configuration: .init(maximumConnections: 4),
                normaliser: normaliser,
                outboxPlanning: outboxPlanning,
                searchIndexing: searchIndexing,
                logger: Backend.logger
            )
        case .sqlite:
            try await self.url.open(
                normaliser: normaliser,
                outboxPlanning: outboxPlanning,
                searchIndexing: searchIndexing,
                logger: Backend.logger
            )
        }
    }
}

enum TestPostgres {
    /// The test server from `TANDEM_TEST_POSTGRES_URL`; cancels the test (reported as skipped) when it is
    /// unset, or fails it under `CI=true`.
    static func server() throws -> PostgresEndpoint {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["TANDEM_TEST_POSTGRES_URL"], !url.isEmpty else {
            if environment["CI"] == "true" {
                throw StoreError(
                    .unavailable,
                    "TANDEM_TEST_POSTGRES_URL is unset under CI=true: the PostgreSQL suite must run in CI"
                )
            }
            try Test.cancel("TANDEM_TEST_POSTGRES_URL is unset: PostgreSQL cases skipped")
        }
        return try PostgresEndpoint(url: url)
    }

    /// Runs one statement on the server's own database (creating and dropping test databases).
    static func administer(_ server: PostgresEndpoint, _ sql: String) async throws {
        try await PostgresStore.withSession(at: server, logger: Backend.logger) { (session) throws(StoreError) in
            try await session.execute(sql)
        }
    }
}

/// Opens a store on a fresh database of `backend`, runs it for the duration of `body`, then stops it.
func withRunningStore<Value: Sendable>(
    _ backend: Backend = .sqlite,
    normaliser: Normaliser? = nil,
    outboxPlanning: (any OutboxPlanning)? = nil,
    _ body: @Sendable (any OutboxStore) async throws -> Value
) async throws -> Value {
    guard backend == .sqlite else {
        return try await withTestDatabase(backend) { database in
            try await withRunningStore(on: database, normaliser: normaliser, outboxPlanning: outboxPlanning, body)
        }
    }
    let memory = TestDatabase(url: .sqlite(.memory))
    return try await withRunningStore(on: memory, normaliser: normaliser, outboxPlanning: outboxPlanning, body)
}

/// Opens a store on `database`, runs it for the duration of `body`, then stops it (which closes it).
func withRunningStore<Value: Sendable>(
    on database: TestDatabase,
    normaliser: Normaliser? = nil,
    outboxPlanning: (any OutboxPlanning)? = nil,
    searchIndexing: (any SearchIndexing)? = nil,
    _ body: @Sendable (any OutboxStore) async throws -> Value
) async throws -> Value {
    let store = try await database.open(
        normaliser: normaliser,
        outboxPlanning: outboxPlanning,
        searchIndexing: searchIndexing
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await store.run() }
        do {
            let value = try await body(store)
            group.cancelAll()
            try await group.waitForAll()
            return value
        } catch {
            group.cancelAll()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// Makes a database of `backend` on which `body` may open several stores, one after another or at once;
/// removes it afterwards.
func withTestDatabase<Value: Sendable>(
    _ backend: Backend,
    _ body: @Sendable (TestDatabase) async throws -> Value
) async throws -> Value {
    let database = try await TestDatabase.make(backend)
    do {
        let value = try await body(database)
        await database.cleanUp()
        return value
    } catch {
        await database.cleanUp()
        throw error
    }
}

extension TestDatabase {
    /// Removes a SQLite test database's directory (synchronously, for `defer`).
    func removeFile() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}
