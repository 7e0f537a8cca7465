import CoManagement
import FHIRCore
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

    /// A message's plan, made on a reader as `ingest` makes it.
    static func plan(_ message: IngestMessage, in store: SQLiteStore) async throws -> NormalisationPlan? {
        let ledger = try #require(store.ledger)
        return try await store.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.plan(message, ledger: ledger)
        }
    }

    /// Ingests a message on the writer with a plan made earlier.
    static func ingest(_ message: IngestMessage, in store: SQLiteStore, plan: NormalisationPlan?) async throws {
        let ledger = try #require(store.ledger)
        _ = try await store.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.ingest(message, ledger: ledger, plan: plan)
        }
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
            _ = try await store.ingest(PartitionMessages.referral(patient: "p1", referral: "sr-1"))
            let late = PartitionMessages.referral(patient: "p1", referral: "sr-2")
            let plan = try await Self.plan(late, in: store)
            #expect(plan != nil)
            // Another message about the patient is written after the plan was made.
            _ = try await store.ingest(PartitionMessages.referral(patient: "p1", referral: "sr-3"))
            let before = store.planCounts
            try await Self.ingest(late, in: store, plan: plan)
            #expect(store.planCounts.dropped == before.dropped + 1)
            let episodes = try await store.episodes(EpisodeQuery())
            #expect(episodes.count == 3)
            for episode in episodes {
                let numbers = try PartitionUpgradeTests.timeline(episode).compactMap { $0["number"] as? Int }
                #expect(numbers == Array(1...max(1, numbers.count)))
            }
        }
    }

    @Test func aMessageResendingItsPatientUnchangedIsWrittenFromItsPlan() async throws {
        try await Self.withStore(planAhead: true) { store in
            _ = try await store.ingest(PartitionMessages.referral(patient: "p1", referral: "sr-1"))
            let next = PartitionMessages.referral(patient: "p1", referral: "sr-2")
            let plan = try #require(try await Self.plan(next, in: store))
            // The writer keeps the patient as it is; the plan normalises only the new referral.
            #expect(plan.resources.map(\.type) == ["ServiceRequest"])
            let before = store.planCounts
            try await Self.ingest(next, in: store, plan: plan)
            #expect(store.planCounts.written == before.written + 1)
            #expect(try await store.episodes(EpisodeQuery()).count == 2)
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

    /// A referral naming its requester and performer, for which Tandem writes a hand-off Task.
    static func handedOff(patient: String, referral: String) -> IngestMessage {
        PartitionMessages.referral(
            patient: patient,
            referral: referral,
            extra: #","requester":{"reference":"Practitioner/dr-a"},"performer":[{"reference":"Practitioner/dr-b"}]"#
        )
    }

    /// What the timers and Tandem's Tasks leave in the store: each partition's version and next due time,
    /// the Tasks' versions, and any arrival number two held resources share.
    static func timerRows(_ store: SQLiteStore) async throws -> [[String?]] {
        try await RawSQL.rows("SELECT version, CAST(due_at AS TEXT) FROM partition ORDER BY id", in: store)
            + RawSQL.rows(
                "SELECT id, CAST(version AS TEXT) FROM resource WHERE type = 'Task' ORDER BY id, version",
                in: store
            )
            + RawSQL.rows(
                "SELECT arrival, count(*) FROM partition_resource GROUP BY arrival HAVING count(*) > 1",
                in: store
            )
    }

    @Test func aPlannedMessageWritesTheDueTimeAndTheTasksTheWriterAloneWrites() async throws {
        // A patient each: a message that sends its patient again unchanged is not planned.
        let messages = (0..<12).map { index in Self.handedOff(patient: "p\(index)", referral: "sr-\(index)") }
        let (planned, counts) = try await Self.withStore(planAhead: true) { store in
            for message in messages { _ = try await store.ingest(message) }
            return (
                (try await Self.documents(store), try await Self.timerRows(store)), store.planCounts
            )
        }
        let unplanned = try await Self.withStore(planAhead: false) { store in
            for message in messages { _ = try await store.ingest(message) }
            return (try await Self.documents(store), try await Self.timerRows(store))
        }
        #expect(counts.written == messages.count)
        #expect(planned.0 == unplanned.0)
        #expect(planned.1 == unplanned.1)
        // Each referral got Tandem's Task, and every partition a due time (its referrals' acceptance).
        #expect(planned.1.filter { $0.count == 2 && $0[0]?.hasPrefix("tt-") == true }.count == 12)
        #expect(
            try await Self.withStore(planAhead: true) { store in
                _ = try await store.ingest(Self.handedOff(patient: "p0", referral: "sr-0"))
                return try await RawSQL.rows("SELECT due_at FROM partition WHERE due_at > 0", in: store).count
            } == 1
        )
    }

    @Test func aPlanOvertakenByATimerIsDroppedAndTheTimersEventKept() async throws {
        let deadline = try #require(FHIRInstant("2026-03-03T00:00:00Z"))
        let late = PartitionMessages.referral(patient: "p1", referral: "sr-2")
        let planned = try await Self.withStore(planAhead: true) { store in
            _ = try await store.ingest(PartitionMessages.referral(patient: "p1", referral: "sr-1"))
            let plan = try await Self.plan(late, in: store)
            #expect(plan != nil)
            // The timers evaluate the partition after the plan was made: its version moves on.
            #expect(try await store.fireDueTimers(at: deadline, limit: 16).events.map(\.kind) == [.referralUnanswered])
            let before = store.planCounts
            try await Self.ingest(late, in: store, plan: plan)
            #expect(store.planCounts.dropped == before.dropped + 1)
            return (try await Self.documents(store), try await Self.timerRows(store))
        }
        let unplanned = try await Self.withStore(planAhead: false) { store in
            _ = try await store.ingest(PartitionMessages.referral(patient: "p1", referral: "sr-1"))
            _ = try await store.fireDueTimers(at: deadline, limit: 16)
            _ = try await store.ingest(late)
            return (try await Self.documents(store), try await Self.timerRows(store))
        }
        #expect(planned.0 == unplanned.0 && planned.1 == unplanned.1)
        let kinds = try planned.0.values.flatMap { try JSONDecoder().decode(Episode.self, from: Data($0)).timeline }
        // sr-1's by the timer, sr-2's as it arrives past its deadline: each referral's once.
        #expect(kinds.filter { $0.kind == .referralUnanswered }.count == 2)
    }

    @Test func aPlanMadeWithOtherMappingsIsDropped() async throws {
        try await Self.withStore(planAhead: true) { store in
            _ = try await store.ingest(PartitionMessages.referral(patient: "p1", referral: "sr-1"))
            let late = PartitionMessages.referral(patient: "p1", referral: "sr-2")
            let plan = try await Self.plan(late, in: store)
            // The mappings change between the plan and the writer: every partition is due again.
            #expect(try await store.useMappings(try SampleMessages.normaliser(), version: "other"))
            let before = store.planCounts
            try await Self.ingest(late, in: store, plan: plan)
            #expect(store.planCounts.dropped == before.dropped + 1)
            let rows = try await RawSQL.rows("SELECT mappings_version, CAST(due_at AS TEXT) FROM partition", in: store)
            #expect(rows.map { $0[0] } == ["other"])
            #expect(rows.first?[1].flatMap(Int64.init).map { $0 > 0 } == true)
        }
    }
}
