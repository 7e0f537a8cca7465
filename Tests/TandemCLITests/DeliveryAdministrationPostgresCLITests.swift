import CoManagement
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import Store

/// `tandem deliveries …` and `tandem redeliver` on a PostgreSQL gateway database: the commands open the
/// store the configuration's URL names. PostgreSQL comes from `TANDEM_TEST_POSTGRES_URL`; unset, the test
/// is skipped, except under `CI=true`, where it fails (as the store suite's PostgreSQL cases do).
@Suite struct DeliveryAdministrationPostgresCLITests {
    static let logger = Logger(label: "tandem.test.cli", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func theCommandsListRetryRequeueAndRedeliverOnAPostgreSQLStore() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["TANDEM_TEST_POSTGRES_URL"], !url.isEmpty else {
            if environment["CI"] == "true" {
                throw StoreError(.unavailable, "TANDEM_TEST_POSTGRES_URL is unset under CI=true: this test must run")
            }
            try Test.cancel("TANDEM_TEST_POSTGRES_URL is unset: PostgreSQL case skipped")
        }
        let server = try PostgresEndpoint(url: url)
        var endpoint = server
        endpoint.database = "tandem_cli_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        // The same server URL (with its password, if any) naming the new database.
        let serverURL = url.prefix { $0 != "?" }
        let storeURL = serverURL[..<(serverURL.lastIndex(of: "/") ?? serverURL.endIndex)] + "/" + endpoint.database
        try await Self.administer(server, "CREATE DATABASE \(endpoint.database)")
        do {
            try await Self.runCommands(on: endpoint, storeURL: String(storeURL))
        } catch {
            try? await Self.administer(server, "DROP DATABASE IF EXISTS \(endpoint.database) WITH (FORCE)")
            throw error
        }
        try await Self.administer(server, "DROP DATABASE IF EXISTS \(endpoint.database) WITH (FORCE)")
    }

    static func administer(_ server: PostgresEndpoint, _ sql: String) async throws {
        try await PostgresStore.withSession(at: server, logger: Self.logger) { (session) throws(StoreError) in
            try await session.execute(sql)
        }
    }

    /// Runs the commands against the store at `storeURL` (the database `endpoint` names).
    static func runCommands(on endpoint: PostgresEndpoint, storeURL: String) async throws {
        try await Self.deadAndDelivered(at: endpoint)
        let directory = try ServerProcess.temporaryDirectory()
        let config = try DeliveryAdministrationCLITests.configuration(in: directory, endpoint: "http://127.0.0.1:9/n")
        func tandem(_ arguments: [String]) throws -> CLIRunner.Result {
            try CLIRunner.run(arguments + ["--config", config.path], environment: ["TANDEM_STORE_URL": storeURL])
        }

        let dead = try tandem(["deliveries", "list", "--state", "dead"])
        #expect(dead.status == 0, "\(dead.standardError)")
        #expect(dead.standardOutput.split(separator: "\n").count == 3, "\(dead.standardOutput)")
        let shown = try tandem(["deliveries", "show", "eyecare-ep-1-2"])
        #expect(shown.standardOutput.contains("state       dead"), "\(shown.standardOutput)\(shown.standardError)")
        #expect(shown.standardOutput.contains("HTTP 400 in "), "\(shown.standardOutput)")
        let retried = try tandem(["deliveries", "retry", "2"])
        #expect(retried.standardOutput.hasPrefix("due now: 2 "), "\(retried.standardOutput)\(retried.standardError)")
        #expect(try tandem(["deliveries", "retry", "1"]).standardError.contains("was delivered"))
        let requeued = try tandem(["deliveries", "requeue-dead", "--partner", "eyecare"])
        #expect(requeued.standardOutput.hasPrefix("requeued 1 dead delivery"), "\(requeued.standardOutput)")
        let redelivered = try tandem(["redeliver", "--partner", "eyecare"])
        #expect(
            redelivered.standardOutput.hasPrefix("queued 1 redelivery for eyecare"),
            "\(redelivered.standardOutput)"
        )

        let audit = try await Self.withStore(at: endpoint) { store in
            try await store.auditTrail(limit: 10).map(\.action)
        }
        // The operators' changes, newest first, after the three attempts of the fixture's rows.
        #expect(
            audit.filter { $0 != "delivery-attempt" } == ["delivery-redeliver", "delivery-requeue", "delivery-retry"]
        )
        #expect(audit.filter { $0 == "delivery-attempt" }.count == 3)
    }

    /// Rows 1–3 of partner eyecare on episode ep-1: delivered, dead (HTTP 400), dead (HTTP 400).
    static func deadAndDelivered(at endpoint: PostgresEndpoint) async throws {
        try await Self.withStore(at: endpoint) { store in
            try await store.withSession { (session) throws(StoreError) in
                for number in 1...3 {
                    let event = TimelineEvent(
                        number: number,
                        kind: .referralCreated,
                        at: nil,
                        summary: "s",
                        source: "Task/t"
                    )
                    try await session.query(
                        """
                        INSERT INTO outbox (partner, episode_id, event_number, payload_ref, next_attempt_at, created_at,
                            delivery_id, event, body)
                        VALUES ('eyecare', 'ep-1', \(Int64(number)), 'Task/t', 1000, 1000, \("eyecare-ep-1-\(number)"),
                            \(try EpisodeJSON.encode(event).bytea), \(Array("body".utf8).bytea))
                        """
                    )
                }
            }
            for (status, resolution) in [
                (200, OutboxResolution.delivered), (400, .deadLetter(reason: "HTTP 400")),
                (400, .deadLetter(reason: "HTTP 400")),
            ] {
                let claimed = try #require(
                    try await store.claimOutbox(limit: 1, now: Date(), lease: .seconds(30)).first
                )
                let attempt = DeliveryAttempt(
                    number: 1,
                    startedAt: Date(),
                    status: status,
                    error: nil,
                    duration: .milliseconds(3),
                    httpVersion: "1.1",
                    excerpt: []
                )
                try await store.completeOutbox(
                    claimed.lease,
                    attempt: attempt,
                    resolution: resolution,
                    audit: nil
                )
            }
        }
    }

    static func withStore<Value: Sendable>(
        at endpoint: PostgresEndpoint,
        _ body: @Sendable (PostgresStore) async throws -> Value
    ) async throws -> Value {
        let store = try await PostgresStore.open(at: endpoint, logger: Self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }
}
