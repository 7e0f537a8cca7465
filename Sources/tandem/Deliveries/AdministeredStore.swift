import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Store

/// Opens the store a gateway's configuration names (`--config`, `TANDEM_CONFIG`, `TANDEM_STORE_URL`, as
/// `tandem serve` reads them), SQLite or PostgreSQL by its URL, for one administrative command, with the
/// store's service running meanwhile.
///
/// Safe beside running gateways on the same database: on SQLite (WAL mode) both read freely and each
/// process's writer takes the write lock per transaction (waiting up to the busy timeout); on PostgreSQL
/// each change locks the rows it changes. Either way the administration never touches a row a forwarder
/// has leased.
enum AdministeredStore {
    static func with<Value: Sendable>(
        config: String?,
        _ body: @Sendable (any OutboxStore, ServeConfiguration) async throws -> Value
    ) async throws -> Value {
        let environment = ProcessInfo.processInfo.environment
        let settings: ServeConfiguration
        do {
            settings = try ServeConfiguration.load(path: config, environment: environment).0
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let url = try settings.storeURL(environment: environment)
        // Opening creates a missing database; an administrative command must not make an empty one.
        if case .sqlite(.file(let path)) = url, !FileManager.default.fileExists(atPath: path) {
            throw ValidationError(
                "no store at '\(path)' (from \(settings.store)); name the gateway's with --config or TANDEM_STORE_URL"
            )
        }
        let store = try await url.open(
            logger: Logger(label: "tandem.deliveries") { label in
                StandardErrorLogHandler(label: label, logLevel: .warning)
            }
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            do {
                let value = try await body(store, settings)
                // Every write above has committed (each call returned); cancelling closes the database.
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

    /// Who made a change, for the audit entry: the login and the command.
    static func actor(_ command: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        return "\(environment["USER"] ?? environment["LOGNAME"] ?? "unknown user") via tandem \(command)"
    }
}
