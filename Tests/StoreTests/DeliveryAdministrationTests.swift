import CoManagement
import Foundation
import Testing

@testable import Store

/// What `tandem deliveries` and `tandem redeliver` do to the outbox, on both backends: list, show, retry,
/// requeue the dead, redeliver; each change audited, leased rows left alone.
@Suite struct DeliveryAdministrationTests {
    static func at(_ milliseconds: Int64) -> Date { Date(storeMilliseconds: milliseconds) }

    /// Runs `body` on a store of `backend` holding rows 1–3 of partner a (episode ep-1: delivered, dead after
    /// a 400, failed once with a 500) and row 4 of partner b (ep-2: dead).
    static func withOutbox(
        _ backend: Backend,
        _ body: @Sendable (any OutboxStore) async throws -> Void
    ) async throws {
        try await withRunningStore(backend) { store in
            for number in 1...3 { try await RawSQL.insertOutboxRow("a", "ep-1", number, into: store) }
            try await RawSQL.insertOutboxRow("b", "ep-2", 1, into: store)
            try await Self.attempt(store, status: 200, .delivered, now: 2000)
            try await Self.attempt(store, status: 400, .deadLetter(reason: "rejected with HTTP 400"), now: 3000)
            try await Self.attempt(store, status: 500, .retry(at: Self.at(60_000)), now: 4000)
            try await body(store)
        }
    }

    /// Claims the heads due at `now`, records `status` and `resolution` on partner a's and dead-letters b's.
    static func attempt(
        _ store: any OutboxStore,
        status: Int,
        _ resolution: OutboxResolution,
        now: Int64
    ) async throws {
        for claimed in try await store.claimOutbox(limit: 5, now: Self.at(now), lease: .milliseconds(500)) {
            let isA = claimed.entry.delivery.partnerID == "a"
            let attempt = DeliveryAttempt(
                number: claimed.entry.attemptsMade + 1,
                startedAt: Self.at(now),
                status: isA ? status : 404,
                error: nil,
                duration: .milliseconds(9),
                httpVersion: "1.1",
                excerpt: Array("answer \(status)".utf8)
            )
            try await store.completeOutbox(
                claimed.lease,
                attempt: attempt,
                resolution: isA ? resolution : .deadLetter(reason: "rejected with HTTP 404"),
                audit: nil
            )
        }
    }

    static func claim(
        _ store: any OutboxStore,
        now: Int64,
        lease: Duration = .milliseconds(500)
    ) async throws
        -> [ClaimedDelivery]
    {
        try await store.claimOutbox(limit: 5, now: Self.at(now), lease: lease)
    }

    /// The operators' changes audited (each recorded attempt has its own `delivery-attempt` record too).
    static func audits(_ store: any OutboxStore) async throws -> [String] {
        try await RawSQL.rows(
            "SELECT action, detail FROM audit WHERE action <> 'delivery-attempt' ORDER BY id",
            in: store
        ).map {
            "\($0[0] ?? "") \($0[1] ?? "")"
        }
    }

    static func execute(_ sql: String, in store: any OutboxStore) async throws {
        _ = try await RawSQL.rows(sql, in: store)
    }

    @Test(arguments: Backend.allCases) func listFiltersByPartnerEpisodeAndStateNewestFirst(
        _ backend: Backend
    ) async throws {
        try await Self.withOutbox(backend) { store in
            #expect(try await store.deliveries(DeliveryQuery()).map(\.row) == [4, 3, 2, 1])
            #expect(
                try await store.deliveries(DeliveryQuery(partner: "a")).map(\.state) == [.pending, .dead, .delivered]
            )
            #expect(
                try await store.deliveries(DeliveryQuery(state: .dead)).map(\.deliveryID) == ["b-ep-2-1", "a-ep-1-2"]
            )
            #expect(try await store.deliveries(DeliveryQuery(episode: "ep-2")).map(\.partnerID) == ["b"])
            #expect(try await store.deliveries(DeliveryQuery(limit: 1)).count == 1)
            let failed = try #require(try await store.deliveries(DeliveryQuery(partner: "a", state: .pending)).first)
            #expect(failed.attempts == 1)
            #expect(failed.lastError == "HTTP 500")
            #expect(failed.nextAttemptAt == Self.at(60_000))
        }
    }

    @Test(arguments: Backend.allCases) func showHasTheRowItsEventItsBodyAndEveryAttempt(
        _ backend: Backend
    ) async throws {
        try await Self.withOutbox(backend) { store in
            let detail = try #require(try await store.delivery(.deliveryID("a-ep-1-2")))
            #expect(detail.record.row == 2)
            #expect(detail.record.state == .dead)
            #expect(detail.record.event.kind == .referralCreated)
            #expect(detail.record.lastError == "rejected with HTTP 400")
            #expect(detail.body == Array("body 2".utf8))
            #expect(detail.attempts.map(\.status) == [400])
            #expect(detail.attempts.first?.excerpt == Array("answer 400".utf8))
            #expect(detail.attempts.first?.milliseconds == 9)
            #expect(try await store.delivery(.row(2)) == detail)
            #expect(try await store.delivery(.row(99)) == nil)
            #expect(DeliveryKey("2") == .row(2))
            #expect(DeliveryKey("a-ep-1-2") == .deliveryID("a-ep-1-2"))
        }
    }

    @Test(arguments: Backend.allCases) func retryingADeadRowMakesItDueWithAFreshBudgetAndKeepsItsAttempts(
        _ backend: Backend
    ) async throws {
        try await Self.withOutbox(backend) { store in
            let record = try await store.retry(.row(2), by: "ops", now: Self.at(10_000))
            #expect(record.state == .pending)
            #expect(record.attempts == 1)
            #expect(record.requeuedAt == Self.at(10_000))
            // The dead row is the stream's head again (row 3 waits behind it), due now, with its budget restarted.
            let claimed = try await Self.claim(store, now: 10_000)
            let head = try #require(claimed.first { $0.entry.delivery.partnerID == "a" })
            #expect(head.lease.id == 2)
            #expect(head.entry.attemptsMade == 0)
            #expect(head.entry.createdAt == Self.at(10_000))
            #expect(try await store.delivery(.row(2))?.attempts.count == 1)
            #expect(try await Self.audits(store).contains { $0.hasPrefix("delivery-retry") && $0.contains("by ops") })
        }
    }

    @Test(arguments: Backend.allCases) func retryingAFailedRowOnlyCutsTheWait(_ backend: Backend) async throws {
        try await Self.withOutbox(backend) { store in
            try await Self.execute("UPDATE outbox SET state = 'delivered' WHERE id = 2", in: store)
            let record = try await store.retry(.deliveryID("a-ep-1-3"), by: "ops", now: Self.at(5000))
            #expect(record.nextAttemptAt == Self.at(5000))
            #expect(record.requeuedAt == nil)
            let head = try #require(try await Self.claim(store, now: 5000).first)
            #expect(head.lease.id == 3)
            #expect(head.entry.attemptsMade == 1)
            #expect(try await Self.audits(store).last?.contains("due now") == true)
        }
    }

    @Test(arguments: Backend.allCases) func retryRefusesWhatItCannotRetry(_ backend: Backend) async throws {
        try await Self.withOutbox(backend) { store in
            await #expect(throws: StoreError.self) { try await store.retry(.row(1), by: "ops", now: Self.at(5000)) }
            await #expect(throws: StoreError.self) { try await store.retry(.row(42), by: "ops", now: Self.at(5000)) }
            try await RawSQL.insertOutboxRow("c", "ep-3", 1, into: store)
            await #expect(throws: StoreError.self) {
                try await store.retry(.deliveryID("c-ep-3-1"), by: "ops", now: Self.at(5000))
            }
            _ = try await Self.claim(store, now: 60_000, lease: .seconds(60))
            // Row 3 is leased now: the forwarder's, not ours.
            do {
                _ = try await store.retry(.row(3), by: "ops", now: Self.at(5000))
                Issue.record("a leased row was retried")
            } catch let error as StoreError {
                #expect(error.code == .invalidRequest)
                #expect(error.message.contains("in flight"))
            }
            #expect(try await Self.audits(store).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases) func requeueDeadMovesOnlyTheChosenPartnersDeadRows(
        _ backend: Backend
    ) async throws {
        try await Self.withOutbox(backend) { store in
            let requeued = try await store.requeueDead(partner: "b", by: "ops", now: Self.at(9000))
            #expect(requeued.map(\.deliveryID) == ["b-ep-2-1"])
            #expect(requeued.first?.state == .pending)
            #expect(try await store.deliveries(DeliveryQuery(state: .dead)).map(\.deliveryID) == ["a-ep-1-2"])
            #expect(try await store.requeueDead(partner: nil, by: "ops", now: Self.at(9000)).map(\.row) == [2])
            #expect(try await store.deliveries(DeliveryQuery(state: .dead)).isEmpty)
            #expect(try await Self.audits(store).filter { $0.hasPrefix("delivery-requeue") }.count == 2)
        }
    }

    @Test(arguments: Backend.allCases) func redeliverAddsNewRowsWithTheSameEventNumberAndBody(
        _ backend: Backend
    ) async throws {
        try await Self.withOutbox(backend) { store in
            let added = try await store.redeliver(Redelivery(partner: "a"), by: "ops", now: Self.at(7000))
            #expect(added.count == 1)
            let copy = try #require(added.first)
            #expect(copy.redeliveryOf == "a-ep-1-1")
            #expect(copy.deliveryID != "a-ep-1-1")
            #expect(copy.eventNumber == 1)
            #expect(copy.state == .pending)
            #expect(try await store.delivery(.row(copy.row))?.body == Array("body 1".utf8))
            #expect(try await store.delivery(.row(1))?.record.state == .delivered)
            // Queued behind what the stream still owes: row 3 (failed, due at 60 s) goes first.
            try await Self.execute("UPDATE outbox SET state = 'delivered' WHERE id IN (2, 3)", in: store)
            let claimed = try #require(try await Self.claim(store, now: 7000).first)
            #expect(claimed.entry.delivery.redeliveryOf == "a-ep-1-1")
            #expect(claimed.entry.delivery.eventNumber == 1)
            // Redeliveries are never redelivered themselves; filters by episode and planning time hold.
            try await Self.execute("UPDATE outbox SET state = 'delivered'", in: store)
            #expect(try await store.redeliver(Redelivery(partner: "a"), by: "ops", now: Self.at(8000)).count == 3)
            let elsewhere = Redelivery(partner: "a", episode: "ep-9")
            #expect(try await store.redeliver(elsewhere, by: "ops", now: Self.at(8000)).isEmpty)
            let late = Redelivery(partner: "a", since: Self.at(1001))
            #expect(try await store.redeliver(late, by: "ops", now: Self.at(8000)).isEmpty)
            #expect(try await Self.audits(store).filter { $0.hasPrefix("delivery-redeliver") }.count == 4)
            // An original row is still unique per (partner, episode, event number): planning skips a repeat.
            try await RawSQL.insertOutboxRow("a", "ep-1", 1, into: store)
            #expect(
                try await store.deliveries(DeliveryQuery(partner: "a")).filter { $0.redeliveryOf == nil }.count == 3
            )
        }
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
        #expect(try connection.migrate(now: 2) == SQLiteMigration.all.dropFirst(3).map(\.version))
        #expect(try connection.delivery(.row(1))?.attempts.count == 1)
        #expect(try connection.query("PRAGMA foreign_keys").first?.int(0) == 1)
        // The original rows are still unique per (partner, episode, event number).
        try SQLiteOutbox.insert("a", "ep-1", 1, into: &connection)
        #expect(try connection.deliveries(DeliveryQuery()).count == 1)
    }

    @Test func migrationSixMovesBodiesOutOfTheRowAndKeepsThem() throws {
        var connection = try SQLiteConnection(path: ":memory:", readOnly: false)
        try connection.execute("PRAGMA foreign_keys = ON")
        _ = try connection.migrate(Array(SQLiteMigration.all.prefix(5)), now: 1)
        try SQLiteOutbox.insert("a", "ep-1", 1, into: &connection)
        try SQLiteOutbox.insert("a", "ep-1", 2, into: &connection)
        #expect(try connection.migrate(now: 2) == SQLiteMigration.all.dropFirst(5).map(\.version))
        #expect(
            try connection.query("SELECT count(*) FROM pragma_table_info('outbox') WHERE name = 'body'").first?.int(0)
                == 0
        )
        #expect(try connection.delivery(.row(2))?.body == Array("body 2".utf8))
        // Rows planned after the migration keep their bodies too, and claims read them.
        try SQLiteOutbox.insert("b", "ep-1", 1, into: &connection)
        #expect(try connection.delivery(.row(3))?.body == Array("body 1".utf8))
        let claim = try connection.leaseDueOutbox(limit: 10, run: 2, now: 2000, leaseMilliseconds: 1000)
        let claimed = try connection.claimedDeliveries(claim)
        #expect(claimed.map(\.entry.delivery.body) == ["body 1", "body 2", "body 1"].map { Array($0.utf8) })
        #expect(try connection.query("PRAGMA foreign_key_check").isEmpty)
    }

    @Test func attemptsAreFoundThroughTheirOutboxRowsIndex() throws {
        var connection = try SQLiteOutbox.connection()
        for query in [
            "SELECT count(*) FROM delivery_attempt WHERE outbox_id = 1",
            "SELECT number FROM delivery_attempt WHERE outbox_id = 1 ORDER BY id",
        ] {
            let plan = try connection.query("EXPLAIN QUERY PLAN \(query)").map { $0.text(3) ?? "" }
            #expect(plan.contains { $0.contains("INDEX delivery_attempt_by_outbox") }, "\(plan)")
            #expect(!plan.contains { $0.contains("USE TEMP B-TREE") }, "\(plan)")
        }
    }

    /// The operator's state filters (as `deliveries` and `requeueDead` write them) use partial indexes, and
    /// no index holds every row's state: a delivery's state changes move no index entry but its streams'.
    @Test func stateFiltersUsePartialIndexesAndNoIndexFollowsEveryStateChange() throws {
        var connection = try SQLiteOutbox.connection()
        let indexes = try connection.query(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox'"
        )
        #expect(!indexes.contains { $0.text(0) == "outbox_by_partner_state" })
        for (query, index) in [
            (
                "SELECT id FROM outbox WHERE delivery_id IS NOT NULL AND state = 'dead' ORDER BY id DESC LIMIT 50",
                "outbox_dead"
            ),
            (
                "SELECT id FROM outbox WHERE state = 'dead' AND delivery_id IS NOT NULL AND partner = 'a' ORDER BY id",
                "outbox_dead"
            ),
            (
                "SELECT id FROM outbox WHERE delivery_id IS NOT NULL AND partner = 'a' AND state = 'pending'"
                    + " AND state IN ('pending', 'leased') ORDER BY id DESC LIMIT 50",
                "outbox_head"
            ),
        ] {
            let plan = try connection.query("EXPLAIN QUERY PLAN \(query)").map { $0.text(3) ?? "" }
            #expect(plan.contains { $0.contains("INDEX \(index)") }, "\(plan)")
        }
        // A dead row listed, requeued, and gone from the dead letters' index.
        try SQLiteOutbox.insert("a", "ep-1", 1, into: &connection)
        try connection.query("UPDATE outbox SET state = 'dead' WHERE id = 1")
        #expect(try connection.deliveries(DeliveryQuery(state: .dead)).map(\.row) == [1])
        _ = try connection.requeueDead(partner: "a", by: "ops", now: 2000)
        #expect(try connection.deliveries(DeliveryQuery(state: .dead)).isEmpty)
        #expect(try connection.deliveries(DeliveryQuery(partner: "a", state: .pending)).map(\.row) == [1])
    }

    @Test(arguments: Backend.allCases) func aSecondStoreOnTheGatewaysDatabaseChangesWhatTheGatewayWrote(
        _ backend: Backend
    ) async throws {
        try await withTestDatabase(backend) { database in
            // The gateway's store and, beside it, the administrative command's, as `tandem deliveries` runs.
            try await withRunningStore(on: database) { gateway in
                try await RawSQL.insertOutboxRow("a", "ep-1", 1, into: gateway)
                try await RawSQL.insertOutboxRow("b", "ep-2", 1, into: gateway)
                try await Self.attempt(gateway, status: 400, .deadLetter(reason: "rejected with HTTP 400"), now: 2000)
                try await withRunningStore(on: database) { administration in
                    #expect(try await administration.deliveries(DeliveryQuery(state: .dead)).map(\.row) == [2, 1])
                    #expect(try await administration.delivery(.row(1))?.attempts.map(\.status) == [400])
                    #expect(try await administration.retry(.row(1), by: "ops", now: Self.at(3000)).state == .pending)
                    await #expect(throws: StoreError.self) {
                        try await administration.retry(.row(99), by: "ops", now: Self.at(3000))
                    }
                    // The gateway's forwarder leases the retried row: it is the forwarder's until its outcome.
                    #expect(try await Self.claim(gateway, now: 3000, lease: .seconds(60)).map(\.lease.id) == [1])
                    await #expect(throws: StoreError.self) {
                        try await administration.retry(.row(1), by: "ops", now: Self.at(3100))
                    }
                    let requeued = try await administration.requeueDead(partner: nil, by: "ops", now: Self.at(3100))
                    #expect(requeued.map(\.row) == [2])
                    #expect(
                        try await administration.redeliver(Redelivery(partner: "a"), by: "ops", now: Self.at(3100))
                            .isEmpty
                    )
                    #expect(
                        try await gateway.auditTrail(limit: 10).map(\.action).filter { $0 != "delivery-attempt" }
                            == ["delivery-requeue", "delivery-retry"]
                    )
                }
            }
        }
    }
}
