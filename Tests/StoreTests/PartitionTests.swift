import CoManagement
import Foundation
import Testing

@testable import Store

/// The co-management state in partitions (issue "state that scales with patients"): one per group of
/// related resources, loaded only by the messages that touch it, cached at the database's version.
@Suite struct PartitionTests {
    typealias M = PartitionMessages

    static func count(_ table: String, in store: any OutboxStore) async throws -> Int {
        Int(try await RawSQL.rows("SELECT CAST(count(*) AS TEXT) FROM \(table)", in: store).first?[0] ?? "") ?? -1
    }

    @Test(arguments: Backend.allCases)
    func eachPatientIsAPartitionAndABatchAboutTwoMakesTwo(_ backend: Backend) async throws {
        try await withRunningStore(backend, normaliser: try SampleMessages.normaliser()) { store in
            _ = try await store.ingest(M.referral(patient: "p1", referral: "sr-1"))
            _ = try await store.ingest(M.referral(patient: "p2", referral: "sr-2"))
            #expect(try await Self.count("partition", in: store) == 2)
            // One message about two patients who have nothing to do with each other: two partitions.
            let both = M.message(
                M.referral(patient: "p3", referral: "sr-3").writes + M.referral(patient: "p4", referral: "sr-4").writes
            )
            _ = try await store.ingest(both)
            #expect(try await Self.count("partition", in: store) == 4)
            #expect(try await store.episodes(EpisodeQuery()).count == 4)
        }
    }

    /// A message linking two patients' resources joins their partitions; their episodes and timelines
    /// carry on in the merged one.
    @Test(arguments: Backend.allCases)
    func aMessageThatLinksTwoPartitionsMergesThem(_ backend: Backend) async throws {
        try await withRunningStore(backend, normaliser: try SampleMessages.normaliser()) { store in
            _ = try await store.ingest(M.referral(patient: "p1", referral: "sr-1"))
            _ = try await store.ingest(M.referral(patient: "p2", referral: "sr-2"))
            #expect(try await Self.count("partition", in: store) == 2)
            // A follow-up referral of p2 based on p1's: it refers to both.
            let linking = M.message([
                M.write(
                    #"""
                    {"resourceType":"ServiceRequest","id":"sr-link","status":"active","intent":"order",
                     "identifier":[{"system":"urn:oid:1.2.3","value":"sr-link"}],
                     "basedOn":[{"reference":"ServiceRequest/sr-1"}],"subject":{"reference":"Patient/p2"}}
                    """#
                )
            ])
            _ = try await store.ingest(linking)
            #expect(try await Self.count("partition", in: store) == 1)
            let partitions = try await RawSQL.rows(
                "SELECT DISTINCT CAST(partition_id AS TEXT) FROM partition_resource",
                in: store
            )
            #expect(partitions.count == 1)
            // Both episodes are still there, and the next message of either goes on numbering its timeline.
            _ = try await store.ingest(M.referral(patient: "p1", referral: "sr-1", extra: #","priority":"urgent""#))
            let episodes = try await store.episodes(EpisodeQuery())
            #expect(episodes.count >= 2)
            for episode in episodes {
                let document = try JSONSerialization.jsonObject(with: Data(episode.document)) as? [String: Any]
                let numbers = (document?["timeline"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? Int }
                #expect(numbers == Array(1...max(1, numbers.count)), "\(episode.id): \(numbers)")
            }
        }
    }

    /// A correction that no longer links what a partition joined keeps the partition merged: the
    /// derivation within a partition is exact whatever the partition holds, so a partition too large costs
    /// time, never correctness, and splitting would have to move timelines between partitions.
    @Test(arguments: Backend.allCases)
    func aCorrectionThatUnlinksKeepsThePartitionMergedAndTheEpisodesRight(_ backend: Backend) async throws {
        try await withRunningStore(backend, normaliser: try SampleMessages.normaliser()) { store in
            _ = try await store.ingest(M.referral(patient: "p1", referral: "sr-1"))
            _ = try await store.ingest(
                M.referral(patient: "p2", referral: "sr-2", extra: #","basedOn":[{"reference":"ServiceRequest/sr-1"}]"#)
            )
            #expect(try await Self.count("partition", in: store) == 1)
            _ = try await store.ingest(M.referral(patient: "p2", referral: "sr-2"))
            #expect(try await Self.count("partition", in: store) == 1)
            let keys = try await store.episodes(EpisodeQuery()).map(\.patientKey).sorted()
            #expect(keys == ["\(M.mrn)|MRN-p1", "\(M.mrn)|MRN-p2"])
        }
    }

    /// A store holds no partition in memory when it starts, and a message reads only the partition it
    /// touches (from the database the first time, from memory after).
    @Test(arguments: Backend.allCases)
    func aRestartReadsNothingAndAMessageReadsOnlyItsPartition(_ backend: Backend) async throws {
        let normaliser = try SampleMessages.normaliser()
        try await withTestDatabase(backend) { database in
            try await withRunningStore(on: database, normaliser: normaliser) { store in
                for index in 0..<5 {
                    _ = try await store.ingest(M.referral(patient: "p\(index)", referral: "sr-\(index)"))
                }
            }
            try await withRunningStore(on: database, normaliser: normaliser) { store in
                let ledger = try #require(Self.ledger(of: store))
                #expect(ledger.cache.count == 0)
                try await store.ping()
                _ = try await store.ingest(M.referral(patient: "p3", referral: "sr-3", extra: #","priority":"urgent""#))
                #expect(ledger.cache.count == 1)
                let episode = try #require(try await store.episodes(EpisodeQuery(patientKey: "\(M.mrn)|MRN-p3")).first)
                let document = try JSONSerialization.jsonObject(with: Data(episode.document)) as? [String: Any]
                let kinds = (document?["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
                #expect(kinds.first == "episode-opened" && kinds.contains("referral-updated"), "\(kinds)")
            }
        }
    }

    /// With room for one partition, two patients' messages in turn evict each other; every message reads
    /// its partition again and the episodes come out as with a cache.
    @Test func aCacheOfOnePartitionEvictsAndReadsAgain() async throws {
        let normaliser = try SampleMessages.normaliser()
        let store = try await SQLiteStore.open(
            at: .memory,
            configuration: .init(partitionCacheCapacity: 1),
            normaliser: normaliser,
            logger: Backend.logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            for round in 0..<3 {
                for patient in ["a", "b"] {
                    _ = try await store.ingest(
                        M.referral(
                            patient: patient,
                            referral: "sr-\(patient)",
                            extra: #","note":[{"text":"round \#(round)"}]"#
                        )
                    )
                    #expect(try #require(store.ledger).cache.count <= 1)
                }
            }
            let episodes = try await store.episodes(EpisodeQuery())
            #expect(episodes.count == 2)
        }
    }

    static func ledger(of store: any OutboxStore) -> EpisodeLedger? {
        (store as? SQLiteStore)?.ledger ?? (store as? PostgresStore)?.ledger
    }
}
