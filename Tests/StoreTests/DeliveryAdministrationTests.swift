import CoManagement
import Foundation
import Testing

@testable import Store

/// What `tandem deliveries` and `tandem redeliver` do to the outbox: list, show, retry, requeue the dead,
/// redeliver; each change audited, leased rows left alone.
@Suite struct DeliveryAdministrationTests {
    /// Rows 1–3 of partner a (episode ep-1: delivered, dead after a 400, failed once with a 500) and row 4
    /// of partner b (ep-2: dead).
    static func outbox() throws -> SQLiteConnection {
        var connection = try SQLiteOutbox.connection()
        for number in 1...3 { try SQLiteOutbox.insert("a", "ep-1", number, into: &connection) }
        try SQLiteOutbox.insert("b", "ep-2", 1, into: &connection)
        try Self.attempt(into: &connection, status: 200, .delivered, now: 2000)
        try Self.attempt(into: &connection, status: 400, .deadLetter(reason: "rejected with HTTP 400"), now: 3000)
        try Self.attempt(into: &connection, status: 500, .retry(at: Date(storeMilliseconds: 60_000)), now: 4000)
        return connection
    }

    /// Claims the heads due at `now`, records `status` and `resolution` on partner a's and dead-letters b's.
    static func attempt(
        into connection: inout SQLiteConnection,
        status: Int,
        _ resolution: OutboxResolution,
        now: Int64
    ) throws {
        for claimed in try connection.claimOutbox(limit: 5, now: now, leaseMilliseconds: 500) {
            let isA = claimed.row.partnerID == "a"
            let attempt = OutboxAttempt(
                number: claimed.attempts + 1,
                startedAt: Date(storeMilliseconds: now),
                status: isA ? status : 404,
                error: nil,
                durationMilliseconds: 9,
                httpVersion: "1.1",
                excerpt: Array("answer \(status)".utf8)
            )
            _ = try connection.completeOutbox(
                claimed.id,
                leaseToken: claimed.leaseToken,
                attempt: attempt,
                resolution: isA ? resolution : .deadLetter(reason: "rejected with HTTP 404"),
                audit: nil
            )
        }
    }

    static func audits(_ connection: inout SQLiteConnection) throws -> [String] {
        try connection.query("SELECT action, detail FROM audit ORDER BY id").map {
            "\($0.text(0) ?? "") \($0.text(1) ?? "")"
        }
    }

    @Test func listFiltersByPartnerEpisodeAndStateNewestFirst() throws {
        var connection = try Self.outbox()
        #expect(try connection.deliveries(DeliveryQuery()).map(\.row) == [4, 3, 2, 1])
        #expect(try connection.deliveries(DeliveryQuery(partner: "a")).map(\.state) == [.pending, .dead, .delivered])
        #expect(try connection.deliveries(DeliveryQuery(state: .dead)).map(\.deliveryID) == ["b-ep-2-1", "a-ep-1-2"])
        #expect(try connection.deliveries(DeliveryQuery(episode: "ep-2")).map(\.partnerID) == ["b"])
        #expect(try connection.deliveries(DeliveryQuery(limit: 1)).count == 1)
        let failed = try #require(try connection.deliveries(DeliveryQuery(partner: "a", state: .pending)).first)
        #expect(failed.attempts == 1)
        #expect(failed.lastError == "HTTP 500")
        #expect(failed.nextAttemptAt == Date(storeMilliseconds: 60_000))
    }

    @Test func showHasTheRowItsEventItsBodyAndEveryAttempt() throws {
        var connection = try Self.outbox()
        let detail = try #require(try connection.delivery(.deliveryID("a-ep-1-2")))
        #expect(detail.record.row == 2)
        #expect(detail.record.state == .dead)
        #expect(detail.record.event.kind == .referralCreated)
        #expect(detail.record.lastError == "rejected with HTTP 400")
        #expect(detail.body == Array("body 2".utf8))
        #expect(detail.attempts.map(\.status) == [400])
        #expect(detail.attempts.first?.excerpt == Array("answer 400".utf8))
        #expect(detail.attempts.first?.durationMilliseconds == 9)
        #expect(try connection.delivery(.row(2)) == detail)
        #expect(try connection.delivery(.row(99)) == nil)
        #expect(DeliveryKey("2") == .row(2))
        #expect(DeliveryKey("a-ep-1-2") == .deliveryID("a-ep-1-2"))
    }

    @Test func retryingADeadRowMakesItDueWithAFreshBudgetAndKeepsItsAttempts() throws {
        var connection = try Self.outbox()
        let record = try connection.retry(.row(2), by: "ops", now: 10_000)
        #expect(record.state == .pending)
        #expect(record.attempts == 1)
        #expect(record.requeuedAt == Date(storeMilliseconds: 10_000))
        // The dead row is the stream's head again (row 3 waits behind it), due now, with its budget restarted.
        let claimed = try connection.claimOutbox(limit: 5, now: 10_000, leaseMilliseconds: 500)
        let head = try #require(claimed.first { $0.row.partnerID == "a" })
        #expect(head.id == 2)
        #expect(head.attempts == 0)
        #expect(head.createdAt == Date(storeMilliseconds: 10_000))
        #expect(try connection.delivery(.row(2))?.attempts.count == 1)
        #expect(try Self.audits(&connection).contains { $0.hasPrefix("delivery-retry") && $0.contains("by ops") })
    }

    @Test func retryingAFailedRowOnlyCutsTheWait() throws {
        var connection = try Self.outbox()
        _ = try connection.query("UPDATE outbox SET state = 'delivered' WHERE id = 2")
        let record = try connection.retry(.deliveryID("a-ep-1-3"), by: "ops", now: 5000)
        #expect(record.nextAttemptAt == Date(storeMilliseconds: 5000))
        #expect(record.requeuedAt == nil)
        let head = try #require(try connection.claimOutbox(limit: 5, now: 5000, leaseMilliseconds: 500).first)
        #expect(head.id == 3)
        #expect(head.attempts == 1)
        #expect(try Self.audits(&connection).last?.contains("due now") == true)
    }

    @Test func retryRefusesWhatItCannotRetry() throws {
        var connection = try Self.outbox()
        #expect(throws: StoreError.self) { try connection.retry(.row(1), by: "ops", now: 5000) }  // delivered
        #expect(throws: StoreError.self) { try connection.retry(.row(42), by: "ops", now: 5000) }  // no such row
        try SQLiteOutbox.insert("c", "ep-3", 1, into: &connection)
        #expect(throws: StoreError.self) { try connection.retry(.deliveryID("c-ep-3-1"), by: "ops", now: 5000) }
        _ = try connection.claimOutbox(limit: 5, now: 60_000, leaseMilliseconds: 60_000)
        // Row 3 is leased now: the forwarder's, not ours.
        do {
            _ = try connection.retry(.row(3), by: "ops", now: 5000)
            Issue.record("a leased row was retried")
        } catch {
            #expect(error.code == .invalidRequest)
            #expect(error.message.contains("in flight"))
        }
        #expect(try Self.audits(&connection).isEmpty)
    }

    @Test func requeueDeadMovesOnlyTheChosenPartnersDeadRows() throws {
        var connection = try Self.outbox()
        let requeued = try connection.requeueDead(partner: "b", by: "ops", now: 9000)
        #expect(requeued.map(\.deliveryID) == ["b-ep-2-1"])
        #expect(requeued.first?.state == .pending)
        #expect(try connection.deliveries(DeliveryQuery(state: .dead)).map(\.deliveryID) == ["a-ep-1-2"])
        #expect(try connection.requeueDead(partner: nil, by: "ops", now: 9000).map(\.row) == [2])
        #expect(try connection.deliveries(DeliveryQuery(state: .dead)).isEmpty)
        #expect(try Self.audits(&connection).filter { $0.hasPrefix("delivery-requeue") }.count == 2)
    }

    @Test func redeliverAddsNewRowsWithTheSameEventNumberAndBody() throws {
        var connection = try Self.outbox()
        let added = try connection.redeliver(Redelivery(partner: "a"), by: "ops", now: 7000)
        #expect(added.count == 1)
        let copy = try #require(added.first)
        #expect(copy.redeliveryOf == "a-ep-1-1")
        #expect(copy.deliveryID != "a-ep-1-1")
        #expect(copy.eventNumber == 1)
        #expect(copy.state == .pending)
        #expect(try connection.delivery(.row(copy.row))?.body == Array("body 1".utf8))
        #expect(try connection.delivery(.row(1))?.record.state == .delivered)
        // Queued behind what the stream still owes: row 3 (failed, due at 60 s) goes first.
        _ = try connection.query("UPDATE outbox SET state = 'delivered' WHERE id IN (2, 3)")
        let claimed = try #require(try connection.claimOutbox(limit: 5, now: 7000, leaseMilliseconds: 500).first)
        #expect(claimed.row.redeliveryOf == "a-ep-1-1")
        #expect(claimed.row.eventNumber == 1)
        // Redeliveries are never redelivered themselves; filters by episode and planning time hold.
        _ = try connection.query("UPDATE outbox SET state = 'delivered'")
        #expect(try connection.redeliver(Redelivery(partner: "a"), by: "ops", now: 8000).count == 3)
        #expect(try connection.redeliver(Redelivery(partner: "a", episode: "ep-9"), by: "ops", now: 8000).isEmpty)
        let late = Redelivery(partner: "a", since: Date(storeMilliseconds: 1001))
        #expect(try connection.redeliver(late, by: "ops", now: 8000).isEmpty)
        #expect(try Self.audits(&connection).filter { $0.hasPrefix("delivery-redeliver") }.count == 4)
    }

    @Test func migrationFourKeepsRowsAttemptsAndForeignKeys() throws {
        var connection = try SQLiteConnection(path: ":memory:", readOnly: false)
        try connection.execute("PRAGMA foreign_keys = ON")
        _ = try connection.migrate(Array(SQLiteMigration.all.prefix(3)), now: 1)
        try SQLiteOutbox.insert("a", "ep-1", 1, into: &connection)
        try connection.query(
            """
            INSERT INTO delivery_attempt (outbox_id, delivery_id, partner, number, started_at, status, duration_ms,
                excerpt)
            VALUES (1, 'a-ep-1-1', 'a', 1, 2000, 503, 5, x'')
            """
        )
        #expect(try connection.migrate(now: 2) == [4, 5])
        #expect(try connection.delivery(.row(1))?.attempts.count == 1)
        #expect(try connection.query("PRAGMA foreign_keys").first?.int(0) == 1)
        // The original rows are still unique per (partner, episode, event number).
        try SQLiteOutbox.insert("a", "ep-1", 1, into: &connection)
        #expect(try connection.deliveries(DeliveryQuery()).count == 1)
    }

    @Test func theEmbeddedStoreOffersTheOperationsThroughTheProtocol() async throws {
        let database = TemporaryDatabase()
        defer { database.cleanUp() }
        try await withRunningStore(on: database.testDatabase) { store in
            // A second process's writes, as a gateway's forwarder makes them beside the running store.
            do {
                var gateway = try SQLiteConnection(path: database.location.path, readOnly: false)
                try gateway.configureForWriting(busyTimeoutMilliseconds: 5000)
                try SQLiteOutbox.insert("a", "ep-1", 1, into: &gateway)
                try Self.attempt(into: &gateway, status: 400, .deadLetter(reason: "rejected with HTTP 400"), now: 2000)
            }
            let administration: any DeliveryAdministration = try #require(store as? SQLiteStore)
            #expect(try await administration.deliveries(DeliveryQuery(state: .dead)).map(\.row) == [1])
            #expect(try await administration.delivery(.row(1))?.attempts.map(\.status) == [400])
            #expect(try await administration.retry(.row(1), by: "ops", now: Date()).state == .pending)
            await #expect(throws: StoreError.self) { try await administration.retry(.row(99), by: "ops", now: Date()) }
            #expect(try await administration.requeueDead(partner: nil, by: "ops", now: Date()).isEmpty)
            #expect(try await administration.redeliver(Redelivery(partner: "a"), by: "ops", now: Date()).isEmpty)
            #expect(try await store.auditTrail(limit: 10).map(\.action) == ["delivery-retry"])
        }
    }
}
