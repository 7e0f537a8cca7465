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
    /// Within it, each call must fail on its own wait rather than on the pool's.
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

            // Each call ends on its own wait, as its message says: two seconds for the readiness check, the
            // configured 0.3 s for the ingest. (Not the wall clock: under a loaded test run the timers' wake-ups
            // queue behind other tests.)
            let ping = await #expect(throws: StoreError.self) { try await store.ping() }
            #expect(ping?.code == .unavailable, "\(String(describing: ping))")
            #expect(
                ping?.message.contains("no PostgreSQL connection within 2.0 seconds") == true,
                "\(String(describing: ping))"
            )
            do {
                _ = try await store.ingest(Fixture.message([Fixture.update(id: "p1", content: #"{"n":1}"#)]))
                Issue.record("an ingest without a server succeeded")
            } catch let error as StoreError {
                #expect(error.code == .unavailable, "\(error)")
                #expect(error.message.contains("no PostgreSQL connection within 0.3 seconds"), "\(error)")
            }
        }
    }
}
