import CoManagement
import Foundation
import Testing

@testable import Store

/// The outbox as the forwarder drains it: the head of each (partner, episode) stream, leased; outcomes
/// guarded by the lease token; leased rows back after the lease.
@Suite struct OutboxTests {
    static func connection() throws -> SQLiteConnection {
        var connection = try SQLiteConnection(path: ":memory:", readOnly: false)
        _ = try connection.migrate(now: 1)
        return connection
    }

    static func insert(
        _ partner: String,
        _ episode: String,
        _ number: Int,
        into connection: inout SQLiteConnection,
        at: Int64 = 1000
    ) throws {
        let event = TimelineEvent(number: number, kind: .referralCreated, at: nil, summary: "s", source: "Task/t")
        try connection.query(
            """
            INSERT OR IGNORE INTO outbox (partner, episode_id, event_number, payload_ref, next_attempt_at, created_at,
                delivery_id, event, body)
            VALUES (?, ?, ?, 'Task/t', ?, ?, ?, ?, ?)
            """,
            [
                .text(partner), .text(episode), .integer(Int64(number)), .integer(at), .integer(at),
                .text("\(partner)-\(episode)-\(number)"), .blob(try SQLiteConnection.encode(event)),
                .blob(Array("body \(number)".utf8)),
            ]
        )
    }

    @Test func claimsOnlyTheHeadOfEachStreamAndNotWhileItIsLeased() throws {
        var connection = try Self.connection()
        for number in 1...3 { try Self.insert("a", "ep-1", number, into: &connection) }
        try Self.insert("a", "ep-2", 1, into: &connection)
        try Self.insert("b", "ep-1", 1, into: &connection)
        try Self.insert("b", "ep-1", 1, into: &connection)  // the same delivery id again: ignored

        let first = try connection.claimOutbox(limit: 10, now: 2000, leaseMilliseconds: 500)
        #expect(Set(first.map(\.row.deliveryID)) == ["a-ep-1-1", "a-ep-2-1", "b-ep-1-1"])
        #expect(first.first { $0.row.deliveryID == "a-ep-1-1" }?.row.body == Array("body 1".utf8))
        #expect(try connection.claimOutbox(limit: 10, now: 2100, leaseMilliseconds: 500).isEmpty)

        let head = try #require(first.first { $0.row.deliveryID == "a-ep-1-1" })
        let attempt = OutboxAttempt(
            number: 1,
            startedAt: Date(storeMilliseconds: 2000),
            status: 200,
            error: nil,
            durationMilliseconds: 7,
            httpVersion: "1.1",
            excerpt: Array("ok".utf8)
        )
        #expect(
            try connection.completeOutbox(
                head.id,
                leaseToken: head.leaseToken,
                attempt: attempt,
                resolution: .delivered,
                audit: nil
            )
        )
        let next = try connection.claimOutbox(limit: 10, now: 2200, leaseMilliseconds: 500)
        #expect(next.map(\.row.deliveryID) == ["a-ep-1-2"])
        let attempts = try connection.query("SELECT delivery_id, status, duration_ms, excerpt FROM delivery_attempt")
        #expect(attempts.count == 1)
        #expect(attempts.first?.text(0) == "a-ep-1-1")
        #expect(attempts.first?.integer(1) == 200)
        #expect(attempts.first?.blob(3) == Array("ok".utf8))
    }

    @Test func aLostLeaseIsLeftAloneAndAnExpiredLeaseComesBack() throws {
        var connection = try Self.connection()
        try Self.insert("a", "ep-1", 1, into: &connection)
        let claimed = try #require(try connection.claimOutbox(limit: 1, now: 2000, leaseMilliseconds: 500).first)
        // The lease expired: the row is claimed again, under a new token.
        let again = try #require(try connection.claimOutbox(limit: 1, now: 2600, leaseMilliseconds: 500).first)
        #expect(again.id == claimed.id)
        #expect(again.leaseToken != claimed.leaseToken)
        // The first claimant's outcome no longer counts.
        #expect(
            try !connection.completeOutbox(
                claimed.id,
                leaseToken: claimed.leaseToken,
                attempt: nil,
                resolution: .delivered,
                audit: nil
            )
        )
        #expect(
            try connection.completeOutbox(
                again.id,
                leaseToken: again.leaseToken,
                attempt: nil,
                resolution: .retry(at: Date(storeMilliseconds: 5000)),
                audit: nil
            )
        )
        #expect(try connection.claimOutbox(limit: 1, now: 4999, leaseMilliseconds: 500).isEmpty)
        let retried = try #require(try connection.claimOutbox(limit: 1, now: 5000, leaseMilliseconds: 500).first)
        #expect(retried.attempts == 1)
        #expect(retried.retryAt == Date(storeMilliseconds: 5000))
    }

    @Test func aDeadLetteredRowStopsBlockingItsStream() throws {
        var connection = try Self.connection()
        try Self.insert("a", "ep-1", 1, into: &connection)
        try Self.insert("a", "ep-1", 2, into: &connection)
        let head = try #require(try connection.claimOutbox(limit: 5, now: 2000, leaseMilliseconds: 500).first)
        let refusal = AuditEntry(at: Date(storeMilliseconds: 2000), action: "delivery-refused", outcome: .minorFailure)
        #expect(
            try connection.completeOutbox(
                head.id,
                leaseToken: head.leaseToken,
                attempt: nil,
                resolution: .deadLetter(reason: "consent no longer permits this partner"),
                audit: refusal
            )
        )
        #expect(try connection.claimOutbox(limit: 5, now: 2000, leaseMilliseconds: 500).map(\.row.eventNumber) == [2])
        let dead = try connection.query("SELECT state, last_error FROM outbox WHERE id = ?", [.integer(head.id)])
        #expect(dead.first?.text(0) == "dead")
        #expect(dead.first?.text(1) == "consent no longer permits this partner")
        #expect(try connection.query("SELECT action FROM audit").first?.text(0) == "delivery-refused")
    }
}
