import Foundation
import Logging
import PostgresNIO
import Testing

@testable import Store

/// A replica whose PostgreSQL server is gone answers promptly with ``StoreError/Code/unavailable`` (a 503
/// for the sender, a failed readiness check), instead of waiting with a pool that retries for ever. No
/// server is needed: the store points at 127.0.0.1:1 (tcpmux), where nothing listens, so connecting is refused.
@Suite struct PostgresOutageTests {
    /// Without the connection wait these calls never return; the time limit makes that a failure, not a hang.
    @Test(.timeLimit(.minutes(1))) func callsFailAsUnavailableWhenNoConnectionComes() async throws {
        let endpoint = PostgresEndpoint(
            host: "127.0.0.1",
            port: 1,
            username: "tandem",
            database: "gone"
        )
        let logger = Logger(label: "tandem.test.store", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = PostgresStore(
            client: PostgresClient(
                configuration: endpoint.clientConfiguration(options: .init()),
                backgroundLogger: logger
            ),
            endpoint: endpoint,
            connectionWait: .milliseconds(300),
            logger: logger,
            ledger: nil
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }

            let started = ContinuousClock.now
            await #expect(throws: StoreError.self) { try await store.ping() }
            do {
                _ = try await store.ingest(Fixture.message([Fixture.update(id: "p1", content: #"{"n":1}"#)]))
                Issue.record("an ingest without a server succeeded")
            } catch let error as StoreError {
                #expect(error.code == .unavailable, "\(error)")
                #expect(error.message.contains("no PostgreSQL connection within"), "\(error)")
            }
            // The readiness check waits two seconds at most, the ingest the configured 0.3 s.
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }
}
