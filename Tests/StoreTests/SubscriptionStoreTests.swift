import FHIRCore
import Foundation
import PostgresNIO
import Testing

@testable import CoManagement
@testable import Store

/// Subscriptions on both backends: saving, the owners' rules, event numbers per subscription drawn in the
/// ingest transaction, `$events` from the outbox, the handshake and heartbeat checks, outbox statistics.
@Suite struct SubscriptionStoreTests {
    static func record(_ id: String, owner: String = "eyecare", status: String = "requested") -> SubscriptionRecord {
        SubscriptionRecord(
            id: id,
            owner: owner,
            origin: .rest,
            status: status,
            lastUpdated: Date(timeIntervalSince1970: 1_000),
            resource: Array(#"{"resourceType":"Subscription"}"#.utf8),
            heartbeatPeriod: 60
        )
    }

    static let audit = AuditEntry(at: Date(), action: "create", outcome: .success, sender: "eyecare")

    @Test(arguments: Backend.allCases)
    func savingKeepsOwnersApartAndVersionsTheRecord(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            let first = try await store.saveSubscription(Self.record("s1"), ifMatch: nil, audit: Self.audit)
            #expect(first.version == 1)
            let second = try await store.saveSubscription(
                Self.record("s1", status: "off"),
                ifMatch: 1,
                audit: Self.audit
            )
            #expect(second.version == 2)
            await #expect(throws: StoreError.self) {
                _ = try await store.saveSubscription(Self.record("s1"), ifMatch: 1, audit: Self.audit)
            }
            do {
                _ = try await store.saveSubscription(Self.record("s1", owner: "other"), ifMatch: nil, audit: Self.audit)
                Issue.record("another partner took the subscription")
            } catch let error as StoreError {
                #expect(error.code == .idTaken)
            }
            #expect(try await store.subscription(id: "s1")?.status == "off")
            #expect(try await store.subscriptions(owner: "other").isEmpty)
            #expect(try await store.deleteSubscription(id: "s1", owner: "other", audit: Self.audit) == false)
            #expect(try await store.deleteSubscription(id: "s1", owner: "eyecare", audit: Self.audit))
            #expect(try await store.subscription(id: "s1") == nil)
            let audited = try await RawSQL.rows("SELECT action FROM audit ORDER BY id", in: store).map { $0[0] ?? "" }
            #expect(audited == ["create", "create", "create"], "two saves and a deletion, each audited")
        }
    }

    /// The planning of the test: one delivery per event for each subscription it names.
    struct Planning: OutboxPlanning {
        let subscriptions: [String]
        var configuredSubscriptions: [String] { ["configured"] }

        func plan(_ input: OutboxPlanningInput) -> OutboxPlan {
            OutboxPlan(
                deliveries: self.subscriptions.flatMap { subscription in
                    input.change.events.map { event in
                        PlannedDelivery(
                            id: "\(subscription)-\(input.change.episodeID)-\(event.number)",
                            partnerID: subscription,
                            episodeID: input.change.episodeID,
                            eventNumber: 0,
                            event: event
                        )
                    }
                }
            )
        }

        func render(_ delivery: PlannedDelivery, input: OutboxPlanningInput) -> [UInt8] {
            Array("\(delivery.partnerID) #\(delivery.eventNumber) \(input.traceparent ?? "-")".utf8)
        }
    }

    static func ingestion(_ episode: String, events: ClosedRange<Int>) -> Ingestion {
        let events = events.map {
            TimelineEvent(
                number: $0,
                kind: .referralUpdated,
                at: nil,
                summary: "s",
                source: "ServiceRequest/sr/_history/\($0)"
            )
        }
        return Ingestion(
            changes: [
                Ingestion.EpisodeChange(
                    episodeID: episode,
                    events: events,
                    episode: Episode(id: episode, patient: PatientSummary(key: "urn:mrn|1"), serviceLine: "line")
                )
            ],
            retiredEpisodeIDs: [],
            storedKeys: [],
            outcome: Outcome()
        )
    }

    private enum OutboxNumberingAlone: PreparedStatementText {
        static let sql = PostgresSession.OutboxNumbering.select
    }

    /// Plans in the store's own transaction, as an ingest does.
    static func plan(_ ingestion: Ingestion, _ planning: any OutboxPlanning, in store: any OutboxStore) async throws {
        switch store {
        case let store as SQLiteStore:
            try await store.write { (connection: inout SQLiteConnection) throws(StoreError) in
                try connection.planOutbox(
                    ingestion,
                    resources: [],
                    planning: planning,
                    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                    messageID: nil,
                    at: 5_000
                )
            }
        case let store as PostgresStore:
            _ = try await store.withTransaction { (session) throws(StoreError) in
                // As a partition's write numbers them, in a statement of its own.
                let plans = PostgresSession.planOutbox(
                    ingestion,
                    resources: [],
                    planning: planning,
                    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                    at: 5_000
                )
                var bindings = PostgresBindings()
                PostgresSession.OutboxNumbering.bind(plans, into: &bindings)
                return try await session.insertOutbox(
                    plans,
                    numbered: try PostgresSession.OutboxNumbering.numbers(
                        try await session.query(OutboxNumberingAlone.self, bindings)
                    ),
                    planning: planning,
                    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                    messageID: nil,
                    at: 5_000
                )
            }
        default: Issue.record("not a test store")
        }
    }

    @Test(arguments: Backend.allCases)
    func eventsAreNumberedPerSubscriptionAcrossEpisodes(_ backend: Backend) async throws {
        let planning = Planning(subscriptions: ["s1", "configured"])
        try await withRunningStore(backend, outboxPlanning: planning) { store in
            _ = try await store.saveSubscription(Self.record("s1"), ifMatch: nil, audit: Self.audit)
            try await Self.plan(Self.ingestion("ep-a", events: 1...2), planning, in: store)
            try await Self.plan(Self.ingestion("ep-b", events: 1...1), planning, in: store)
            // Planned again (a retried message): its rows, numbers and bodies stay.
            try await Self.plan(Self.ingestion("ep-a", events: 1...2), planning, in: store)
            #expect(try await store.subscriptionEventCount(id: "s1") == 3)
            #expect(try await store.subscriptionEventCount(id: "configured") == 3, "registered when the store opened")
            let events = try await store.subscriptionEvents(id: "s1", from: 2, through: 9, limit: 10)
            #expect(events.map(\.eventNumber) == [2, 3])
            #expect(events.map(\.episodeID) == ["ep-a", "ep-b"])
            #expect(
                String(decoding: events[0].body, as: UTF8.self).hasPrefix("s1 #2 00-4bf92f3577b34da6a3ce929d0e0e4736")
            )
            let traces = try await RawSQL.rows("SELECT DISTINCT trace_parent FROM outbox", in: store)
            #expect(traces.map { $0[0] } == ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
            #expect(try await store.subscriptionEvents(id: "s1", from: 1, through: 3, limit: 1).count == 1)
        }
    }

    @Test func postgresDrawsNumbersWithoutWaitingForAnotherTransaction() async throws {
        try await withRunningStore(.postgres) { store in
            let store = try #require(store as? PostgresStore)
            _ = try await store.saveSubscription(Self.record("s1"), ifMatch: nil, audit: Self.audit)
            let (first, second) = try await store.withSession { (open) throws(StoreError) -> ([Int], [Int]) in
                try await open.execute("BEGIN")
                let first = try await open.drawEventNumbers("s1", count: 2, at: 0)
                // A second transaction draws while the first is still open: a sequence, not a locked row.
                let second = try await store.withTransaction { (other) throws(StoreError) -> [Int] in
                    try await other.execute("SET LOCAL lock_timeout = '2s'")
                    return try await other.drawEventNumbers("s1", count: 2, at: 0)
                }
                try await open.execute("ROLLBACK")
                return (first, second)
            }
            #expect(first == [1, 2])
            #expect(second == [3, 4])
            // The rolled-back numbers are not given again: a gap $events answers with nothing.
            #expect(try await store.subscriptionEventCount(id: "s1") == 4)
        }
    }

    @Test(arguments: Backend.allCases)
    func handshakesAndHeartbeatsAreLeasedOnceAndRecordedAtTheirVersion(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            _ = try await store.saveSubscription(Self.record("s1"), ifMatch: nil, audit: Self.audit)
            let now = Date(timeIntervalSince1970: 2_000)
            let due = try await store.claimSubscriptionChecks(now: now, lease: .seconds(60))
            #expect(due.map(\.id) == ["s1"])
            #expect(try await store.claimSubscriptionChecks(now: now, lease: .seconds(60)).isEmpty, "leased")
            #expect(
                try await store.recordSubscriptionCheck(
                    id: "s1",
                    version: 1,
                    status: "active",
                    error: nil,
                    nextCheck: now.addingTimeInterval(60),
                    audit: nil
                )
            )
            #expect(try await store.subscription(id: "s1")?.status == "active")
            #expect(
                try await store.claimSubscriptionChecks(now: now.addingTimeInterval(59), lease: .seconds(60)).isEmpty
            )
            #expect(
                try await store.claimSubscriptionChecks(now: now.addingTimeInterval(61), lease: .seconds(60)).count == 1
            )
            // A check of a version since replaced records nothing.
            _ = try await store.saveSubscription(Self.record("s1"), ifMatch: nil, audit: Self.audit)
            #expect(
                try await store.recordSubscriptionCheck(
                    id: "s1",
                    version: 1,
                    status: "error",
                    error: "x",
                    nextCheck: nil,
                    audit: nil
                )
                    == false
            )
        }
    }

    @Test(arguments: Backend.allCases)
    func outboxStatisticsCountWhatWaitsAndWhatDied(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            _ = try await store.saveSubscription(Self.record("s1"), ifMatch: nil, audit: Self.audit)
            try await RawSQL.insertOutboxRow("s1", "ep-1", 1, into: store, at: 1_000)
            try await RawSQL.insertOutboxRow("s1", "ep-1", 2, into: store, at: 9_000)
            try await RawSQL.insertOutboxRow("s1", "ep-2", 3, into: store, at: 1_000)
            try await RawSQL.insertOutboxRow("solo", "ep-1", 1, into: store, at: 1_000)
            _ = try await RawSQL.rows(
                "UPDATE outbox SET state = 'dead' WHERE partner = 's1' AND event_number = 3",
                in: store
            )
            let statistics = try await store.outboxStatistics(now: Date(storeMilliseconds: 5_000))
            #expect(statistics.map(\.subscription) == ["s1", "solo"])
            #expect(statistics.map(\.partner) == ["eyecare", "solo"])
            #expect(statistics.map(\.depth) == [2, 1])
            #expect(statistics.map(\.dead) == [1, 0])
            #expect(statistics.first?.oldestDue == Date(storeMilliseconds: 1_000), "the row due at 9000 is not due yet")
        }
    }

    @Test(arguments: Backend.allCases)
    func everyRecordedAttemptIsAudited(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            _ = try await store.saveSubscription(Self.record("s1"), ifMatch: nil, audit: Self.audit)
            try await RawSQL.insertOutboxRow("s1", "ep-1", 1, into: store)
            let claimed = try await store.claimOutbox(
                limit: 1,
                now: Date(storeMilliseconds: 2_000),
                lease: .seconds(60)
            )
            let lease = try #require(claimed.first?.lease)
            let attempt = DeliveryAttempt(
                number: 1,
                startedAt: Date(storeMilliseconds: 2_000),
                status: 503,
                duration: .milliseconds(40)
            )
            try await store.completeOutbox(
                lease,
                attempt: attempt,
                resolution: .retry(at: Date(storeMilliseconds: 9_000)),
                audit: nil
            )
            let audit = try await store.auditEvents(AuditQuery(deliveries: true))
            #expect(audit.entries.count == 1)
            let entry = try #require(audit.entries.first)
            #expect(entry.action == "delivery-attempt")
            #expect(entry.sender == "eyecare", "the subscription's partner")
            #expect(entry.outcome == .seriousFailure)
            #expect(entry.resourceReference == "Episode/ep-1")
            #expect(entry.detail?.contains("attempt 1: HTTP 503 in 40 ms") == true, "\(entry.detail ?? "")")
        }
    }
}
