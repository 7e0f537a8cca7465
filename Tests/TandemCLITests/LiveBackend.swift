import Foundation
import Logging
import PostgresNIO
import Testing

@testable import Store

/// The store a live `tandem serve` test runs on: SQLite in the server's directory, or a fresh database on
/// the PostgreSQL server `TANDEM_TEST_POSTGRES_URL` names (skipped without it, failed under `CI=true`).
enum LiveBackend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { self.rawValue }

    /// Starts `tandem serve` on this backend with `config` (the sample configuration by default), runs
    /// `body`, stops the server and drops the database.
    func withServer<Value>(
        config: URL? = nil,
        in directory: URL? = nil,
        mappings: URL? = nil,
        _ body: (ServerProcess) async throws -> Value
    ) async throws -> Value {
        switch self {
        case .sqlite:
            let server = try await ServerProcess.start(in: directory, config: config, mappings: mappings)
            defer { server.stop() }
            return try await body(server)
        case .postgres:
            return try await Self.withDatabase { storeURL in
                let server = try await ServerProcess.start(
                    in: directory,
                    config: config,
                    storeURL: storeURL,
                    mappings: mappings
                )
                // The server stops before its database is dropped.
                defer { server.stop() }
                return try await body(server)
            }
        }
    }

    /// Runs `body` with the store URL of a new database on the test server, then drops the database,
    /// whether `body` threw or not; `body` stops the servers it started on it before it returns.
    static func withDatabase<Value>(_ body: (String) async throws -> Value) async throws -> Value {
        let (endpoint, storeURL) = try await Self.makeDatabase()
        let result: Result<Value, any Error>
        do {
            result = .success(try await body(storeURL))
        } catch {
            result = .failure(error)
        }
        try? await DeliveryAdministrationPostgresCLITests.administer(
            Self.server(),
            "DROP DATABASE IF EXISTS \(endpoint.database) WITH (FORCE)"
        )
        return try result.get()
    }

    static func server() throws -> PostgresEndpoint {
        try PostgresEndpoint(url: try Self.serverURL())
    }

    private static func serverURL() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["TANDEM_TEST_POSTGRES_URL"], !url.isEmpty else {
            if environment["CI"] == "true" {
                throw StoreError(.unavailable, "TANDEM_TEST_POSTGRES_URL is unset under CI=true: this test must run")
            }
            try Test.cancel("TANDEM_TEST_POSTGRES_URL is unset: PostgreSQL case skipped")
        }
        return url
    }

    /// A new database on the test server, and the store URL that names it.
    static func makeDatabase() async throws -> (PostgresEndpoint, String) {
        let url = try Self.serverURL()
        var endpoint = try PostgresEndpoint(url: url)
        endpoint.database = "tandem_live_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        let serverURL = url.prefix { $0 != "?" }
        let storeURL = serverURL[..<(serverURL.lastIndex(of: "/") ?? serverURL.endIndex)] + "/" + endpoint.database
        try await DeliveryAdministrationPostgresCLITests.administer(
            try Self.server(),
            "CREATE DATABASE \(endpoint.database)"
        )
        return (endpoint, String(storeURL))
    }
}
