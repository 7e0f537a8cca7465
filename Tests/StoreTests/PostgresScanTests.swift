import CoManagement
import Foundation
import PostgresNIO
import Testing

@testable import Store

/// What the ingest's statements read on PostgreSQL: rows found through indexes, never a table scanned.
/// A scan makes each message cost more the more history the store holds, which is what partitioning is
/// for; PostgreSQL's own counters (`pg_stat_user_tables`) show it, whatever the timing.
@Suite struct PostgresScanTests {
    /// The tables a message reads or writes.
    static let messageTables = [
        "message", "resource", "resource_version", "resource_identifier", "partition", "partition_name",
        "partition_resource", "shared_name", "shared_resource", "episode", "episode_member", "episode_event",
        "outbox", "audit", "unmatched_referral",
    ]

    /// A new database, so its statistics are empty when each connection plans its statements: the case in
    /// which the plans once scanned `partition_name`, `resource`, `episode_member` and `outbox` per message.
    @Test func messagesOnAYoungDatabaseScanNoTable() async throws {
        let messages = 60
        try await withTestDatabase(.postgres) { database in
            try await withRunningStore(
                on: database,
                normaliser: try SampleMessages.normaliser(),
                outboxPlanning: SubscriptionStoreTests.Planning(subscriptions: ["configured"])
            ) { store in
                try await Self.ingestAndDeliver(messages, into: store)
            }
            guard case .postgres(let endpoint) = database.url else { return }
            let scanned = try await Self.rowsScanned(in: endpoint, afterInserting: messages)
            #expect(scanned.values.allSatisfy { $0 == 0 }, "rows read by sequential scans: \(scanned)")
        }
    }

    /// `messages` referral messages, all but ten for new patients and ten changing one patient's referral
    /// (its episode row, members and events rewritten), then ``deliverEverything(from:)``, and the outbox
    /// gauges read as a metrics scrape reads them.
    static func ingestAndDeliver(_ messages: Int, into store: any OutboxStore) async throws {
        for patient in 0..<(messages - 10) {
            _ = try await store.ingest(PartitionMessages.referral(patient: "p\(patient)", referral: "sr-\(patient)"))
        }
        for change in 0..<10 {
            _ = try await store.ingest(
                PartitionMessages.referral(patient: "p0", referral: "sr-0", extra: #","note":[{"text":"c\#(change)"}]"#)
            )
        }
        try await Self.deliverEverything(from: store)
        _ = try await store.outboxStatistics(now: Date())
    }

    /// Claims and records every delivery as a forwarder would: in each claim one row is retried, one
    /// given back unattempted and the others delivered, until none is left.
    static func deliverEverything(from store: any OutboxStore) async throws {
        var retried: Set<Int64> = []
        while true {
            let claimed = try await store.claimOutbox(limit: 16, now: Date(), lease: .seconds(60))
            if claimed.isEmpty { return }
            var completions: [OutboxCompletion] = []
            var released: [OutboxLease] = []
            for (index, delivery) in claimed.enumerated() {
                let attempt = DeliveryAttempt(number: 1, startedAt: Date(), status: 200, duration: .milliseconds(3))
                if index == 1 {
                    released.append(delivery.lease)
                } else if index == 0, retried.insert(delivery.lease.id).inserted {
                    let failed = DeliveryAttempt(number: 1, startedAt: Date(), status: 503, duration: .milliseconds(3))
                    completions.append(
                        OutboxCompletion(
                            lease: delivery.lease,
                            attempt: failed,
                            resolution: .retry(at: Date()),
                            audit: nil
                        )
                    )
                } else {
                    completions.append(
                        OutboxCompletion(lease: delivery.lease, attempt: attempt, resolution: .delivered, audit: nil)
                    )
                }
            }
            try await store.completeOutbox(completions, releasing: released)
        }
    }

    /// Rows read by sequential scans per table, once the closed store's connections have reported their
    /// counters (a connection reports them when it ends; `messages` rows in `message` show they have).
    static func rowsScanned(in endpoint: PostgresEndpoint, afterInserting messages: Int) async throws -> [String: Int64]
    {
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        var previous: [String: Int64]? = nil
        while true {
            let counters = try await PostgresStore.withSession(at: endpoint, logger: Backend.logger) {
                (session) throws(StoreError) -> (inserted: Int64, scanned: [String: Int64]) in
                var inserted: Int64 = 0
                var scanned: [String: Int64] = [:]
                for row in try await session.query(
                    "SELECT relname::text, seq_tup_read, n_tup_ins FROM pg_stat_user_tables WHERE relname::text = ANY(\(Self.messageTables))"
                ) {
                    let (table, read, insertions) = try row.columns((String, Int64, Int64).self)
                    scanned[table] = read
                    if table == "message" { inserted = insertions }
                }
                return (inserted, scanned)
            }
            if counters.inserted >= Int64(messages), counters.scanned == previous { return counters.scanned }
            if ContinuousClock.now > deadline {
                Issue.record("PostgreSQL reported \(counters.inserted) of \(messages) messages inserted")
                return counters.scanned
            }
            previous = counters.scanned
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
