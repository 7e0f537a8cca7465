import ArgumentParser
import Foundation
import Logging
import Store

/// Opens the store a gateway's configuration names (`--config`, `TANDEM_CONFIG`, `TANDEM_STORE_URL`, as
/// `tandem serve` reads them) for one administrative command, with its own writer running meanwhile.
///
/// Safe beside a running gateway on the same file: SQLite in WAL mode lets both read freely, each
/// process's writer takes the write lock per transaction (waiting up to the busy timeout), and the
/// administration never touches a row the gateway's forwarder has leased.
enum AdministeredStore {
    static func with<Value: Sendable>(
        config: String?,
        _ body: @Sendable (SQLiteStore, ServeConfiguration) async throws -> Value
    ) async throws -> Value {
        let settings: ServeConfiguration
        do {
            settings = try ServeConfiguration.load(path: config, environment: ProcessInfo.processInfo.environment).0
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let location = try StoreLocation(url: settings.store)
        // Opening creates a missing database; an administrative command must not make an empty one.
        if case .file(let path) = location, !FileManager.default.fileExists(atPath: path) {
            throw ValidationError(
                "no store at '\(path)' (from \(settings.store)); name the gateway's with --config or TANDEM_STORE_URL"
            )
        }
        let store = try await SQLiteStore.open(
            at: location,
            logger: Logger(label: "tandem.deliveries") { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .warning
                return handler
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
