import CoManagement
import Foundation
import Logging
import Testing

@testable import Store

/// On SQLite a message is normalised ahead of the single writer, on a reader; the writer writes the plan
/// only when nothing it read has changed. The episodes must be those the writer alone would make.
@Suite struct PlannedNormalisationTests {
    /// Runs `body` with a SQLite store on a fresh file, planning ahead or not.
    static func withStore<Value: Sendable>(
        planAhead: Bool,
        _ body: @Sendable (SQLiteStore) async throws -> Value
    ) async throws -> Value {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-plan-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await SQLiteStore.open(
            at: .file(directory.appendingPathComponent("tandem.sqlite").path),
            configuration: SQLiteStore.Configuration(planAhead: planAhead),
            normaliser: try SampleMessages.normaliser(),
            logger: Backend.logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    /// Every sample scenario's steps, then referrals for new patients and new referrals for known ones.
    static func messages() throws -> [IngestMessage] {
        var messages: [IngestMessage] = []
        for sample in SampleMessages.scenarioSteps {
            var message = Fixture.message(try SampleMessages.writes(sample), interaction: "transaction")
            message.received.sender = "lakeside-eye-surgery"
            messages.append(message)
        }
        for patient in 0..<6 {
            for referral in 0..<3 {
                messages.append(
                    PartitionMessages.referral(patient: "p\(patient)", referral: "sr-\(patient)-\(referral)")
                )
            }
        }
        return messages
    }

    /// The episode documents, by id.
    static func documents(_ store: SQLiteStore) async throws -> [String: [UInt8]] {
        let records = try await store.episodes(EpisodeQuery(limit: 10_000))
        return Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0.document) })
    }

    @Test func plannedAheadGivesTheEpisodesTheWriterAloneGives() async throws {
        let messages = try Self.messages()
        let (planned, counts) = try await Self.withStore(planAhead: true) { store in
            for message in messages { _ = try await store.ingest(message) }
            return (try await Self.documents(store), store.planCounts)
        }
        let unplanned = try await Self.withStore(planAhead: false) { store in
            for message in messages { _ = try await store.ingest(message) }
            #expect(store.planCounts.written == 0)
            return try await Self.documents(store)
        }
        #expect(planned.count > 6 && planned == unplanned)
        // The new referrals were written from their plans; messages with practitioners were not planned.
        #expect(counts.written >= 18)
    }

    @Test func aPlanOvertakenByAnotherMessageIsDroppedAndTheMessageNormalisedInTheWriter() async throws {
        try await Self.withStore(planAhead: true) { store in
            let ledger = try #require(store.ledger)
            _ = try await store.ingest(PartitionMessages.referral(patient: "p1", referral: "sr-1"))
            let late = PartitionMessages.referral(patient: "p1", referral: "sr-2")
            let plan = try await store.read { (connection: inout SQLiteConnection) throws(StoreError) in
                try connection.plan(late, ledger: ledger)
            }
            #expect(plan != nil)
            // Another message about the patient is written after the plan was made.
            _ = try await store.ingest(PartitionMessages.referral(patient: "p1", referral: "sr-3"))
            let before = store.planCounts
            _ = try await store.write { (connection: inout SQLiteConnection) throws(StoreError) in
                try connection.ingest(late, ledger: ledger, plan: plan)
            }
            #expect(store.planCounts.dropped == before.dropped + 1)
            let episodes = try await store.episodes(EpisodeQuery())
            #expect(episodes.count == 3)
            for episode in episodes {
                let numbers = try PartitionUpgradeTests.timeline(episode).compactMap { $0["number"] as? Int }
                #expect(numbers == Array(1...numbers.count))
            }
        }
    }

    @Test func messagesAboutTheSamePatientsAtOnceEndAsOneAfterAnother() async throws {
        let messages = (0..<40).map { index in
            PartitionMessages.referral(patient: "p\(index % 4)", referral: "sr-\(index)")
        }
        let concurrent = try await Self.withStore(planAhead: true) { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for message in messages { group.addTask { _ = try await store.ingest(message) } }
                try await group.waitForAll()
            }
            let counts = store.planCounts
            #expect(counts.written + counts.dropped == messages.count && counts.written > 0)
            return try await Self.documents(store)
        }
        let sequential = try await Self.withStore(planAhead: false) { store in
            for message in messages { _ = try await store.ingest(message) }
            return try await Self.documents(store)
        }
        #expect(concurrent.count == 40 && concurrent == sequential)
    }
}
