import Foundation
import Logging
import PostgresNIO
import Testing

@testable import Store

/// A replica whose PostgreSQL server is gone answers promptly with ``StoreError/Code/unavailable`` (a 503
/// for the sender, a failed readiness check), instead of waiting with a pool that retries for ever. No
/// server is needed: the store points at a port nothing listens on.
@Suite struct PostgresOutageTests {
    @Test func callsFailAsUnavailableWhenNoConnectionComes() async throws {
        let endpoint = PostgresEndpoint(
            host: "127.0.0.1",
            port: try Self.closedPort(),
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

    /// A port on 127.0.0.1 that was free a moment ago (bound, read back, closed).
    static func closedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else { throw StoreError(.io, "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
