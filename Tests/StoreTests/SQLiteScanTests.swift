import CoManagement
import Foundation
import Testing

@testable import Store

/// What a message's statements read on SQLite: rows found by key, no table or index stepped through from
/// end to end (`SQLITE_STMTSTATUS_FULLSCAN_STEP` of every statement each connection prepared); the
/// counterpart of ``PostgresScanTests``.
@Suite struct SQLiteScanTests {
    @Test func messagesAndTheirDeliveriesScanNoTable() async throws {
        let database = try await TestDatabase.make(.sqlite)
        defer { database.removeFile() }
        try await withRunningStore(
            on: database,
            normaliser: try SampleMessages.normaliser(),
            outboxPlanning: SubscriptionStoreTests.Planning(subscriptions: ["configured"])
        ) { store in
            try await PostgresScanTests.ingestAndDeliver(60, into: store)
            let sqlite = try #require(store as? SQLiteStore)
            var scans: [String: Int] = [:]
            for slot in [sqlite.writer] + sqlite.readers {
                scans.merge(try slot.withConnection { $0.fullScanSteps() }) { $0 + $1 }
            }
            // The schema's own catalogue is read by scan once, when the store opens.
            let scanned = scans.filter { !$0.key.contains("FROM sqlite_master") }
            #expect(scanned.isEmpty, "statements that stepped through a whole table or index: \(scanned)")
        }
    }

    /// A list of the most recently changed episodes (`GET /episodes`, the console, a sender's or partner's
    /// list) steps through as many entries as it lists, not through every episode.
    @Test func listingRecentEpisodesStepsThroughOnlyWhatItLists() async throws {
        let database = try await TestDatabase.make(.sqlite)
        defer { database.removeFile() }
        try await withRunningStore(on: database, normaliser: try SampleMessages.normaliser()) { store in
            for patient in 0..<60 {
                _ = try await store.ingest(
                    PartitionMessages.referral(patient: "p\(patient)", referral: "sr-\(patient)")
                )
            }
            let sqlite = try #require(store as? SQLiteStore)
            @Sendable func listSteps() throws -> Int {
                var steps = 0
                for slot in [sqlite.writer] + sqlite.readers {
                    steps += try slot.withConnection { $0.fullScanSteps() }
                        .filter { $0.key.contains("ORDER BY updated_at DESC") }.values.reduce(0, +)
                }
                return steps
            }
            let before = try listSteps()
            #expect(try await store.episodes(EpisodeQuery(limit: 5)).count == 5)
            #expect(try await store.episodes(EpisodeQuery(sender: "hospital", limit: 5)).count == 5)
            let walked = try listSteps() - before
            #expect(walked <= 12, "two lists of 5 of 60 episodes stepped through \(walked) entries")
        }
    }
}
