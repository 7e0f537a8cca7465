import Foundation
import Testing

@testable import Store

/// What the operations console keeps and reads, on both backends: sessions every replica shares, a
/// message as received, the outbox by partner and the latest attempts.
@Suite struct ConsoleStoreTests {
    static func session(_ hash: String, expiresAt: Int64) -> ConsoleSessionRecord {
        ConsoleSessionRecord(
            tokenHash: hash,
            operatorName: "ops",
            csrfToken: "csrf-\(hash)",
            createdAt: Date(storeMilliseconds: 1000),
            expiresAt: Date(storeMilliseconds: expiresAt)
        )
    }

    @Test(arguments: Backend.allCases) func sessionsAreSharedByReplicasExpireAndEndEverywhere(
        _ backend: Backend
    ) async throws {
        try await withTestDatabase(backend) { database in
            try await withRunningStore(on: database) { first in
                try await withRunningStore(on: database) { second in
                    let now = Date(storeMilliseconds: 2000)
                    try await first.openConsoleSession(Self.session("live", expiresAt: 10_000), now: now)
                    try await first.openConsoleSession(Self.session("short", expiresAt: 3000), now: now)
                    #expect(
                        try await second.consoleSession(tokenHash: "live", now: now)
                            == Self.session("live", expiresAt: 10_000)
                    )
                    #expect(
                        try await second.consoleSession(tokenHash: "short", now: Date(storeMilliseconds: 3001)) == nil
                    )
                    #expect(try await second.consoleSession(tokenHash: "unknown", now: now) == nil)
                    try await second.closeConsoleSession(tokenHash: "live")
                    #expect(try await first.consoleSession(tokenHash: "live", now: now) == nil)
                    // Opening a session forgets the expired ones.
                    try await second.openConsoleSession(
                        Self.session("next", expiresAt: 20_000),
                        now: Date(storeMilliseconds: 5000)
                    )
                    let rows = try await RawSQL.rows("SELECT token_hash FROM console_session", in: first)
                    #expect(rows.map { $0[0] ?? "" } == ["next"])
                }
            }
        }
    }

    @Test(arguments: Backend.allCases) func outboxIsSummedByPartnerWithTheLatestAttempts(
        _ backend: Backend
    ) async throws {
        try await DeliveryAdministrationTests.withOutbox(backend) { store in
            let outboxes = try await store.outboxByPartner()
            #expect(outboxes.map(\.partner) == ["a", "b"])
            #expect(outboxes.map(\.waiting) == [1, 0])
            #expect(outboxes.map(\.dead) == [1, 1])
            #expect(outboxes.first?.nextDue == Date(storeMilliseconds: 60_000))
            let attempts = try await store.recentAttempts(limit: 10)
            #expect(attempts.count == 4)
            #expect(attempts.first?.partner == "a")
            #expect(attempts.first?.attempt.status == 500)
            #expect(attempts.first?.row == 3)
            #expect(try await store.recentAttempts(limit: 1).count == 1)
        }
    }

    @Test(arguments: Backend.allCases) func aMessageIsReadBackAsReceived(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            let body = backend == .sqlite ? "X'7B7D'" : "'\\x7b7d'::bytea"
            _ = try await RawSQL.rows(
                """
                INSERT INTO message (received_at, sender, content_type, correlation_id, interaction, body)
                VALUES (1500, 'st-marys', 'application/fhir+json', 'c-1', 'create', \(body))
                """,
                in: store
            )
            let record = try #require(try await store.message(id: 1))
            #expect(record.message.body == Array("{}".utf8))
            #expect(record.message.sender == "st-marys")
            #expect(record.message.interaction == "create")
            #expect(record.message.receivedAt == Date(storeMilliseconds: 1500))
            #expect(try await store.message(id: 2) == nil)
            try await store.record([
                AuditEntry(at: Date(storeMilliseconds: 1500), action: "create", outcome: .success, messageID: 1),
                AuditEntry(at: Date(storeMilliseconds: 1600), action: "read", outcome: .success),
                AuditEntry(at: Date(storeMilliseconds: 1700), action: "bundle", outcome: .minorFailure, detail: "422"),
                AuditEntry(at: Date(storeMilliseconds: 1800), action: "bundle", outcome: .success),
            ])
            #expect(try await store.messageTrail(limit: 10).map(\.action) == ["bundle", "create"])
        }
    }
}
