import CoManagement
import FHIRCore
import Foundation
import Testing

@testable import Store

/// The measure facts the store keeps beside each episode (``Store/measureFacts(serviceLine:afterID:limit:)``)
/// are what the episode's own document gives, on both backends: as written with the episode, derived for a
/// row written before the store kept them, and filled into such rows when the store opens.
@Suite struct MeasureFactsStoreTests {
    @Test(arguments: Backend.allCases)
    func factsAreWhatEachEpisodesDocumentGivesAndOlderRowsAreFilledAtStart(_ backend: Backend) async throws {
        let normaliser = try SampleMessages.normaliser()
        try await withTestDatabase(backend) { database in
            let expected = try await withRunningStore(on: database, normaliser: normaliser) { store in
                for step in SampleMessages.scenarioSteps {
                    var message = Fixture.message(try SampleMessages.writes(step), interaction: "transaction")
                    message.received.sender = "lakeside-eye-surgery"
                    _ = try await store.ingest(message)
                }
                let expected = try await Self.factsOfDocuments(store)
                #expect(Set(expected.map(\.facts.serviceLine)).count == 5)
                #expect(expected.contains { $0.facts.turnaround != nil })
                let unfilledAfterIngest = try await Self.unfilled(store)
                #expect(unfilledAfterIngest == 0, "every episode is written with its facts")
                #expect(try await Self.pagedFacts(store) == expected)
                let cataract = try await store.measureFacts(
                    serviceLine: "ophthalmology.cataract",
                    afterID: "",
                    limit: 100
                )
                #expect(cataract == expected.filter { $0.facts.serviceLine == "ophthalmology.cataract" })

                // Rows as a gateway from before the facts left them: derived on reading.
                _ = try await RawSQL.rows("UPDATE episode SET measure = NULL", in: store)
                #expect(try await Self.pagedFacts(store) == expected)
                return expected
            }
            try await withRunningStore(on: database, normaliser: normaliser) { store in
                let unfilledAfterStart = try await Self.unfilled(store)
                #expect(unfilledAfterStart == 0)
                #expect(try await Self.pagedFacts(store) == expected)
            }
        }
    }

    /// How many episode rows have no facts.
    static func unfilled(_ store: any OutboxStore) async throws -> Int? {
        let rows = try await RawSQL.rows("SELECT CAST(count(*) AS TEXT) FROM episode WHERE measure IS NULL", in: store)
        return rows.first?.first.flatMap { $0.flatMap(Int.init) }
    }

    /// The facts of every live episode, from its document as ``Store/episodes(_:)`` gives it, in id order.
    static func factsOfDocuments(_ store: any OutboxStore) async throws -> [EpisodeMeasureFacts] {
        try await store.episodes(EpisodeQuery(limit: 1000)).map { record in
            EpisodeMeasureFacts(
                episodeID: record.id,
                facts: MeasureFacts(try JSONDecoder().decode(Episode.self, from: Data(record.document)))
            )
        }.sorted { $0.episodeID < $1.episodeID }
    }

    /// Every live episode's facts, two to a page.
    static func pagedFacts(_ store: any OutboxStore) async throws -> [EpisodeMeasureFacts] {
        var facts: [EpisodeMeasureFacts] = []
        var after = ""
        while true {
            let page = try await store.measureFacts(serviceLine: nil, afterID: after, limit: 2)
            facts += page
            guard page.count == 2, let last = page.last else { return facts }
            after = last.episodeID
        }
    }
}
