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
}
