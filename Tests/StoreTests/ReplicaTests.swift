import CoManagement
import Foundation
import Testing

@testable import Store

/// Several gateway replicas on one PostgreSQL database: two ``PostgresStore``s on one database, as two
/// processes would hold them.
@Suite struct ReplicaTests {
    /// Runs `body` with two stores running on one fresh PostgreSQL database.
    static func withReplicas(
        normaliser: Normaliser? = nil,
        _ body: @Sendable (any OutboxStore, any OutboxStore) async throws -> Void
    ) async throws {
        try await withTestDatabase(.postgres) { database in
            try await withRunningStore(on: database, normaliser: normaliser) { first in
                try await withRunningStore(on: database, normaliser: normaliser) { second in
                    try await body(first, second)
                }
            }
        }
    }

    @Test func concurrentIdenticalPostsOnTwoReplicasYieldOneResource() async throws {
        try await Self.withReplicas { first, second in
            let results = try await withThrowingTaskGroup(of: WriteResult.self) { group in
                for index in 0..<16 {
                    let store = index % 2 == 0 ? first : second
                    group.addTask {
                        try #require(try await store.ingest(Fixture.message([Fixture.create()])).successes().first)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0.disposition == .created }.count == 1)
            #expect(results.filter { $0.disposition == .unchanged }.count == 15)
            #expect(Set(results.map(\.resource.id)).count == 1)
            #expect(
                try await second.search(type: "ServiceRequest", identifier: "urn:oid:1.2.3|SR-1", owner: nil).count == 1
            )
        }
    }

    @Test func concurrentConditionalUpdatesOnTwoReplicasMakeOneResource() async throws {
        try await Self.withReplicas { first, second in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<12 {
                    let store = index % 2 == 0 ? first : second
                    group.addTask {
                        _ = try await store.ingest(
                            Fixture.message([ConditionalUpdateTests.conditional(id: "ct\(index)", content: "{}")])
                        )
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await first.search(type: "CareTeam", identifier: "urn:oid:9|CT-1", owner: nil).count == 1)
        }
    }

    /// Each replica's book goes stale when the other writes; the next message it normalises must see
    /// the other's episode changes (the referral, then its acceptance, then the care plan).
    @Test func episodeChangesOnOneReplicaAreSeenByTheNextMessageOnTheOther() async throws {
        try await Self.withReplicas(normaliser: try SampleMessages.normaliser()) { first, second in
            func post(_ sample: String, to store: any OutboxStore) async throws {
                var message = Fixture.message(try SampleMessages.writes(sample), interaction: "transaction")
                message.received.sender = "lakeside-eye-surgery"
                _ = try await store.ingest(message)
            }
            // The second replica loads its (empty) book first, so it holds one that will go stale.
            _ = try await second.ingest(Fixture.message([Fixture.update(id: "p-other", content: "{}")]))
            try await post("ophthalmology.cataract/01-referral.json", to: first)
            let referred = try #require(try await second.episodes(EpisodeQuery()).first)
            #expect(referred.status == "referred")

            try await post("ophthalmology.cataract/02-acceptance.json", to: second)
            let accepted = try await first.episodes(EpisodeQuery())
            #expect(accepted.map(\.status) == ["accepted"])
            #expect(accepted.first?.id == referred.id)

            try await post("ophthalmology.cataract/03-care-plan.json", to: first)
            let planned = try #require(try await second.episode(id: referred.id))
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(planned.document)) as? [String: Any]
            )
            let timeline = try #require(document["timeline"] as? [[String: Any]])
            #expect(Set(timeline.compactMap { $0["number"] as? Int }).count == timeline.count)
            #expect(timeline.count >= 3)
            #expect(document["carePlan"] != nil || document["carePlans"] != nil)
        }
    }

    /// Ingests, all at once, `message(patient, replica)` for each of `patients` patients on each replica.
    static func ingestOnBoth(
        _ replicas: [any OutboxStore],
        patients: Int,
        _ message: @escaping @Sendable (Int, Int) -> IngestMessage
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for patient in 0..<patients {
                for (index, store) in replicas.enumerated() {
                    group.addTask { _ = try await store.ingest(message(patient, index)) }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Two replicas ingesting at once: ten patients' referrals on both, each patient's two messages on
    /// different replicas. Different patients go on in parallel; one patient's messages one after the
    /// other, so each ends with one episode whose timeline has no gap and no repeat.
    @Test func twoReplicasIngestDifferentPatientsAtOnceAndOnePatientInTurn() async throws {
        try await Self.withReplicas(normaliser: try SampleMessages.normaliser()) { first, second in
            try await Self.ingestOnBoth([first, second], patients: 10) { patient, replica in
                PartitionMessages.referral(
                    patient: "p\(patient)",
                    referral: "sr-\(patient)",
                    extra: replica == 0 ? "" : #","priority":"urgent""#
                )
            }
            #expect(try await PartitionTests.count("partition", in: first) == 10)
            let episodes = try await second.episodes(EpisodeQuery())
            #expect(episodes.count == 10)
            for episode in episodes {
                let numbers = try PartitionUpgradeTests.timeline(episode).compactMap { $0["number"] as? Int }
                #expect(!numbers.isEmpty && numbers == Array(1...numbers.count), "\(episode.id): \(numbers)")
            }
        }
    }

    /// Two referrals for one new patient, on the two replicas at once, that share nothing but the patient
    /// they name: only the patient's name lock orders them, so the second must read the partitions after
    /// the first committed, and find the one it made.
    @Test func twoReplicasMakeOnePartitionForANewPatientReferredOnBothAtOnce() async throws {
        try await Self.withReplicas(normaliser: try SampleMessages.normaliser()) { first, second in
            try await Self.ingestOnBoth([first, second], patients: 20) { patient, replica in
                PartitionMessages.referral(
                    patient: "p\(patient)",
                    referral: "sr-\(patient)-\(replica)",
                    withPatient: false
                )
            }
            #expect(try await PartitionTests.count("partition", in: first) == 20)
        }
    }

    /// A replica's partition in memory is used only at the database's version: after the other replica
    /// wrote the partition, the next message reads it again instead of normalising against the old state.
    @Test func aReplicaReadsAgainAPartitionTheOtherWrote() async throws {
        try await Self.withReplicas(normaliser: try SampleMessages.normaliser()) { first, second in
            _ = try await first.ingest(PartitionMessages.referral(patient: "p1", referral: "sr-1"))
            _ = try await second.ingest(
                PartitionMessages.referral(patient: "p1", referral: "sr-1", extra: #","priority":"urgent""#)
            )
            _ = try await first.ingest(
                PartitionMessages.referral(patient: "p1", referral: "sr-1", extra: #","priority":"stat""#)
            )
            let episode = try #require(try await first.episodes(EpisodeQuery()).first)
            let events = try PartitionUpgradeTests.timeline(episode)
            let numbers = events.compactMap { $0["number"] as? Int }
            #expect(numbers == Array(1...max(1, numbers.count)))
            // Both priority changes are events: urgent (seen by the first replica only after re-reading) and stat.
            #expect(events.filter { $0["kind"] as? String == "referral-updated" }.count == 2, "\(events)")
        }
    }

    @Test func claimsFromTwoReplicasNeverShareARowOrAStream() async throws {
        try await Self.withReplicas { first, second in
            // Four streams of five rows each.
            for stream in 0..<4 {
                for number in 1...5 {
                    try await RawSQL.insertOutboxRow("partner-\(stream % 2)", "ep-\(stream)", number, into: first)
                }
            }
            var delivered: [String: [Int]] = [:]
            let now = Date(storeMilliseconds: 2000)
            for _ in 0..<12 {
                // Both replicas claim at once, each asking for more than there are streams.
                async let fromFirst = first.claimOutbox(limit: 8, now: now, lease: .seconds(60))
                async let fromSecond = second.claimOutbox(limit: 8, now: now, lease: .seconds(60))
                let claimed = try await fromFirst + fromSecond
                #expect(Set(claimed.map(\.lease.id)).count == claimed.count, "a row handed out twice")
                let streams = claimed.map { "\($0.entry.delivery.partnerID)/\($0.entry.delivery.episodeID)" }
                #expect(Set(streams).count == streams.count, "two rows of one stream in flight")
                for row in claimed {
                    delivered["\(row.entry.delivery.partnerID)/\(row.entry.delivery.episodeID)", default: []].append(
                        row.entry.delivery.eventNumber
                    )
                    let store = row.lease.id % 2 == 0 ? first : second
                    #expect(
                        try await store.completeOutbox(
                            row.lease,
                            attempt: nil,
                            resolution: .delivered,
                            audit: nil
                        )
                    )
                }
            }
            #expect(delivered.count == 4)
            #expect(delivered.values.allSatisfy { $0 == [1, 2, 3, 4, 5] })
        }
    }

    @Test func aReplicaKilledMidDeliveryLosesNothing() async throws {
        try await withTestDatabase(.postgres) { database in
            // The first replica claims the head and dies without completing it.
            let abandoned = try await withRunningStore(on: database) { store in
                try await RawSQL.insertOutboxRow("a", "ep-1", 1, into: store)
                try await RawSQL.insertOutboxRow("a", "ep-1", 2, into: store)
                return try await store.claimOutbox(limit: 5, now: Date(storeMilliseconds: 2000), lease: .seconds(30))
            }
            #expect(abandoned.map(\.entry.delivery.eventNumber) == [1])
            try await withRunningStore(on: database) { survivor in
                let early = Date(storeMilliseconds: 2000 + 29_000)
                #expect(try await survivor.claimOutbox(limit: 5, now: early, lease: .seconds(30)).isEmpty)
                let later = Date(storeMilliseconds: 2000 + 30_000)
                let reclaimed = try await survivor.claimOutbox(limit: 5, now: later, lease: .seconds(30))
                #expect(reclaimed.map(\.entry.delivery.id) == ["a-ep-1-1"])
            }
        }
    }
}
