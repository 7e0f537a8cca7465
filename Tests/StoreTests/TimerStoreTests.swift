import CoManagement
import FHIRCore
import Foundation
import PostgresNIO
import Testing

@testable import Store

/// The timers' side of the store (issue 22): each partition's next deadline kept beside it
/// (`partition.due_at`), only due partitions evaluated, each deadline recorded once.
@Suite struct TimerStoreTests {
    typealias M = PartitionMessages

    static func dueTimes(_ store: any OutboxStore) async throws -> [String?] {
        try await RawSQL.rows("SELECT CAST(due_at AS TEXT) FROM partition ORDER BY id", in: store).map { $0[0] }
    }

    @Test(arguments: Backend.allCases)
    func onlyDuePartitionsAreEvaluatedAndEachDeadlineOnce(_ backend: Backend) async throws {
        try await withRunningStore(backend, normaliser: try SampleMessages.normaliser()) { store in
            // p1's referral, authored 2026-03-01, should be answered within the cataract line's 48 hours;
            // p2's is completed, so nothing of p2's is pending.
            _ = try await store.ingest(M.referral(patient: "p1", referral: "sr-1"))
            _ = try await store.ingest(M.referral(patient: "p2", referral: "sr-2", extra: #","priority":"routine""#))
            _ = try await store.ingest(
                M.message([
                    M.write(
                        #"""
                        {"resourceType":"ServiceRequest","id":"sr-2","status":"completed","intent":"order",
                         "identifier":[{"system":"urn:oid:1.2.3","value":"sr-2"}],
                         "code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"66984"}]},
                         "subject":{"reference":"Patient/p2"},"authoredOn":"2026-03-01"}
                        """#
                    )
                ])
            )
            let deadline = try #require(FHIRInstant("2026-03-03T00:00:00Z"))
            #expect(try await Self.dueTimes(store) == [String(Int64(deadline.secondsSinceEpoch * 1000)), nil])

            let early = try await store.fireDueTimers(at: try #require(FHIRInstant("2026-03-02T23:59:59Z")), limit: 16)
            #expect(early.partitions == 0)
            let due = try await store.fireDueTimers(at: deadline, limit: 16)
            #expect(due.partitions == 1)
            #expect(due.events.map(\.kind) == [.referralUnanswered])
            #expect(due.events.first?.due == "2026-03-03T00:00:00Z")
            #expect(try await Self.dueTimes(store) == [nil, nil])
            let again = try await store.fireDueTimers(at: try #require(FHIRInstant("2026-03-10T00:00:00Z")), limit: 16)
            #expect(again.partitions == 0)

            let episodes = try await store.episodes(EpisodeQuery())
            let kinds = try episodes.flatMap {
                try JSONDecoder().decode(Episode.self, from: Data($0.document)).timeline
            }
            .map(\.kind)
            #expect(kinds.filter { $0 == .referralUnanswered }.count == 1)
        }
    }

    @Test func sqliteTimersMigrationMakesEveryExistingPartitionDue() throws {
        var connection = try SQLiteConnection(path: ":memory:", readOnly: false)
        try connection.migrate(SQLiteMigration.all.filter { $0.version < SQLiteMigration.timers.version }, now: 1)
        try connection.query("INSERT INTO partition (version) VALUES (3)")
        #expect(try connection.migrate(now: 2).first == SQLiteMigration.timers.version)
        #expect(try connection.query("SELECT due_at FROM partition").map { $0.integer(0) } == [0])
    }

    @Test func postgresTimersMigrationMakesEveryExistingPartitionDue() async throws {
        try await withTestDatabase(.postgres) { database in
            guard case .postgres(let endpoint) = database.url else { return }
            let due = try await PostgresStore.withSession(at: endpoint, logger: Backend.logger) {
                (session) throws(StoreError) -> [Int64?] in
                try await session.migrate(
                    PostgresMigration.all.filter { $0.version < PostgresMigration.timers.version },
                    now: 1
                )
                try await session.query("INSERT INTO partition (version) VALUES (3)")
                _ = try await session.migrate(now: 2)
                var values: [Int64?] = []
                for row in try await session.query("SELECT due_at FROM partition") {
                    values.append(try row.columns(Int64?.self))
                }
                return values
            }
            #expect(due == [0])
        }
    }
}
