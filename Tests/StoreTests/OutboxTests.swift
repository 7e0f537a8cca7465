import CoManagement
import FHIRCore
import Foundation
import Testing

@testable import CoManagement
@testable import Store

/// The outbox as the forwarder drains it: the head of each (partner, episode) stream, leased; outcomes
/// guarded by the lease token; leased rows back after the lease.
@Suite struct OutboxTests {
    static func at(_ milliseconds: Int64) -> Date { Date(storeMilliseconds: milliseconds) }

    static func claim(_ store: any OutboxStore, now: Int64, limit: Int = 10) async throws -> [ClaimedDelivery] {
        try await store.claimOutbox(limit: limit, now: Self.at(now), lease: .milliseconds(500))
    }

    @Test(arguments: Backend.allCases) func claimsOnlyTheHeadOfEachStreamAndNotWhileItIsLeased(
        _ backend: Backend
    ) async throws {
        try await withRunningStore(backend) { store in
            for number in 1...3 { try await RawSQL.insertOutboxRow("a", "ep-1", number, into: store) }
            try await RawSQL.insertOutboxRow("a", "ep-2", 1, into: store)
            try await RawSQL.insertOutboxRow("b", "ep-1", 1, into: store)
            try await RawSQL.insertOutboxRow("b", "ep-1", 1, into: store)  // the same delivery id again: ignored

            let first = try await Self.claim(store, now: 2000)
            #expect(Set(first.map(\.entry.delivery.id)) == ["a-ep-1-1", "a-ep-2-1", "b-ep-1-1"])
            #expect(first.first { $0.entry.delivery.id == "a-ep-1-1" }?.entry.delivery.body == Array("body 1".utf8))
            #expect(try await Self.claim(store, now: 2100).isEmpty)

            let head = try #require(first.first { $0.entry.delivery.id == "a-ep-1-1" })
            let attempt = DeliveryAttempt(
                number: 1,
                startedAt: Self.at(2000),
                status: 200,
                error: nil,
                duration: .milliseconds(7),
                httpVersion: "1.1",
                excerpt: Array("ok".utf8)
            )
            #expect(
                try await store.completeOutbox(
                    head.lease,
                    attempt: attempt,
                    resolution: .delivered,
                    audit: nil
                )
            )
            #expect(try await Self.claim(store, now: 2200).map(\.entry.delivery.id) == ["a-ep-1-2"])
            let attempts = try await RawSQL.rows(
                """
                SELECT delivery_id, CAST(status AS TEXT), CAST(duration_ms AS TEXT), CAST(length(excerpt) AS TEXT)
                FROM delivery_attempt
                """,
                in: store
            )
            #expect(attempts == [["a-ep-1-1", "200", "7", "2"]])
        }
    }

    @Test(arguments: Backend.allCases) func aRetriedOlderRowWaitsWhileALaterOneIsInFlight(
        _ backend: Backend
    ) async throws {
        try await withRunningStore(backend) { store in
            for number in 1...2 { try await RawSQL.insertOutboxRow("a", "ep-1", number, into: store) }
            let first = try #require(try await Self.claim(store, now: 2000).first)
            #expect(
                try await store.completeOutbox(
                    first.lease,
                    attempt: nil,
                    resolution: .deadLetter(reason: "rejected with HTTP 400"),
                    audit: nil
                )
            )
            let second = try #require(try await Self.claim(store, now: 2010).first)
            #expect(second.entry.delivery.id == "a-ep-1-2")
            // An operator retries the dead first row while the second is on the wire.
            _ = try await store.retry(.row(first.lease.id), by: "ops", now: Self.at(2020))
            #expect(try await Self.claim(store, now: 2030).isEmpty)
            // Once the second is recorded, the retried first is the stream's head again.
            #expect(
                try await store.completeOutbox(
                    second.lease,
                    attempt: nil,
                    resolution: .delivered,
                    audit: nil
                )
            )
            #expect(try await Self.claim(store, now: 2040).map(\.entry.delivery.id) == ["a-ep-1-1"])
        }
    }

    @Test(arguments: Backend.allCases) func aLostLeaseIsLeftAloneAndAnExpiredLeaseComesBack(
        _ backend: Backend
    ) async throws {
        try await withRunningStore(backend) { store in
            try await RawSQL.insertOutboxRow("a", "ep-1", 1, into: store)
            let claimed = try #require(try await Self.claim(store, now: 2000, limit: 1).first)
            // The lease expired: the row is claimed again, under a new token.
            let again = try #require(try await Self.claim(store, now: 2600, limit: 1).first)
            #expect(again.lease.id == claimed.lease.id)
            #expect(again.lease.token != claimed.lease.token)
            // The first claimant's outcome no longer counts.
            #expect(
                try await !store.completeOutbox(
                    claimed.lease,
                    attempt: nil,
                    resolution: .delivered,
                    audit: nil
                )
            )
            #expect(
                try await store.completeOutbox(
                    again.lease,
                    attempt: nil,
                    resolution: .retry(at: Self.at(5000)),
                    audit: nil
                )
            )
            #expect(try await Self.claim(store, now: 4999, limit: 1).isEmpty)
            let retried = try #require(try await Self.claim(store, now: 5000, limit: 1).first)
            #expect(retried.entry.attemptsMade == 1)
            #expect(retried.entry.retryAt == Self.at(5000))
        }
    }

    /// A claim walks rows in the order they became claimable: a row whose lease ran out comes after rows
    /// that were due before its lease ended, and rows still leased are not in its way.
    @Test(arguments: Backend.allCases) func rowsAreClaimedInTheOrderTheyBecameClaimable(
        _ backend: Backend
    ) async throws {
        try await withRunningStore(backend) { store in
            for episode in 1...3 { try await RawSQL.insertOutboxRow("a", "ep-\(episode)", 1, into: store) }
            try await RawSQL.insertOutboxRow("a", "ep-4", 1, into: store, at: 2400)
            // Leased until 2500 (the helper's lease is 500 ms), then until 2600.
            #expect(
                try await Self.claim(store, now: 2000, limit: 2).map(\.entry.delivery.episodeID) == ["ep-1", "ep-2"]
            )
            #expect(try await Self.claim(store, now: 2100, limit: 1).map(\.entry.delivery.episodeID) == ["ep-3"])
            // At 2550: ep-4 has been due since 2400, ep-1 and ep-2 claimable since 2500, ep-3 not yet.
            #expect(try await Self.claim(store, now: 2550, limit: 1).map(\.entry.delivery.episodeID) == ["ep-4"])
            #expect(
                try await Self.claim(store, now: 2550, limit: 5).map(\.entry.delivery.episodeID) == ["ep-1", "ep-2"]
            )
        }
    }

    @Test(arguments: Backend.allCases) func aDeadLetteredRowStopsBlockingItsStream(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            try await RawSQL.insertOutboxRow("a", "ep-1", 1, into: store)
            try await RawSQL.insertOutboxRow("a", "ep-1", 2, into: store)
            let head = try #require(try await Self.claim(store, now: 2000, limit: 5).first)
            let refusal = AuditEntry(at: Self.at(2000), action: "delivery-refused", outcome: .minorFailure)
            #expect(
                try await store.completeOutbox(
                    head.lease,
                    attempt: nil,
                    resolution: .deadLetter(reason: "consent no longer permits this partner"),
                    audit: refusal
                )
            )
            #expect(try await Self.claim(store, now: 2000, limit: 5).map(\.entry.delivery.eventNumber) == [2])
            let dead = try await RawSQL.rows(
                "SELECT state, last_error FROM outbox WHERE id = \(head.lease.id)",
                in: store
            )
            #expect(dead == [["dead", "consent no longer permits this partner"]])
            #expect(try await store.auditTrail(limit: 5).map(\.action) == ["delivery-refused"])
        }
    }

    /// Planning skips a delivery id already planned before drawing numbers, and inserts with `INSERT OR
    /// IGNORE`: a delivery planned again must neither fail nor give any row a new body or number; new
    /// deliveries take the next numbers of their subscription.
    @Test func aDeliveryPlannedAgainKeepsItsRowTheBodyAndTheNumberItWasPlannedWith() throws {
        var connection = try SQLiteOutbox.connection()
        let event = TimelineEvent(number: 1, kind: .referralCreated, at: nil, summary: "s", source: "Task/t")
        let change = Ingestion.EpisodeChange(
            episodeID: "ep-1",
            events: [event],
            episode: Episode(id: "ep-1", patient: PatientSummary(key: "urn:mrn|1"), serviceLine: "line")
        )
        let ingestion = Ingestion(changes: [change], retiredEpisodeIDs: [], storedKeys: [], outcome: Outcome())
        for body in ["first", "second"] {
            let planning = ClosurePlanning {
                OutboxPlan(deliveries: [
                    PlannedDelivery(
                        id: "d-1",
                        partnerID: "a",
                        episodeID: "ep-1",
                        eventNumber: 1,
                        event: event,
                        body: Array(body.utf8)
                    ),
                    PlannedDelivery(
                        id: "d-\(body)",
                        partnerID: "b",
                        episodeID: "ep-1",
                        eventNumber: 0,
                        event: event,
                        body: Array(body.utf8)
                    ),
                ])
            }
            try connection.planOutbox(
                ingestion,
                resources: [],
                planning: planning,
                traceparent: nil,
                messageID: 1,
                at: 1000
            )
        }
        let rows = try connection.query(
            "SELECT delivery_id, body, event_number FROM outbox JOIN outbox_body ON outbox_id = id ORDER BY id"
        )
        #expect(rows.map { $0.text(0) } == ["d-1", "d-first", "d-second"])
        #expect(rows.map { String(decoding: $0.blob(1), as: UTF8.self) } == ["first", "first", "second"])
        #expect(rows.map { $0.int(2) } == [1, 1, 2])
    }

    /// Rows in flight are the oldest due rows; SQLite's claim walks `outbox_ready` from the first row it
    /// may take (`claimable_at`), not from the oldest due (``rowsAreClaimedInTheOrderTheyBecameClaimable(_:)``
    /// shows the order on both backends).
    @Test func theSQLiteClaimStartsItsWalkAtTheFirstClaimableRow() throws {
        var connection = try SQLiteOutbox.connection()
        let plan = try connection.query(
            "EXPLAIN QUERY PLAN \(SQLiteConnection.dueHeadsSQL)",
            [.integer(0), .integer(1)]
        )
        .map { $0.text(3) ?? "" }
        #expect(plan.first?.contains("USING INDEX outbox_ready (claimable_at<?)") == true, "\(plan)")
    }
}

/// An ``OutboxPlanning`` that plans with a closure, rendering as it plans.
struct ClosurePlanning: OutboxPlanning {
    let plan: @Sendable () -> OutboxPlan

    func plan(_ input: OutboxPlanningInput) -> OutboxPlan {
        self.plan()
    }
}
