import CoManagement
import Testing

@testable import Store

/// SQLite's writer loads the episode book when it starts, before its first write, and the store is not
/// ready until then: the first message after a start no longer waits for the whole book.
@Suite struct EpisodeBookLoadTests {
    @Test func theWriterLoadsTheBookBeforeTheFirstMessageAndReadinessWaitsForIt() async throws {
        let normaliser = try SampleMessages.normaliser()
        try await withTestDatabase(.sqlite) { database in
            try await withRunningStore(on: database, normaliser: normaliser) { store in
                var message = Fixture.message(
                    try SampleMessages.writes("ophthalmology.cataract/01-referral.json"),
                    interaction: "transaction"
                )
                message.received.sender = "lakeside-eye-surgery"
                _ = try await store.ingest(message)
            }

            let store = try #require(try await database.open(normaliser: normaliser) as? SQLiteStore)
            let ledger = try #require(store.ledger)
            await #expect {
                try await store.ping()
            } throws: { error in
                (error as? StoreError)?.code == .unavailable
            }
            #expect(!ledger.isLoaded)

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                var ready = false
                for _ in 0..<500 where !ready {
                    ready = (try? await store.ping()) != nil
                    if !ready { try await Task.sleep(for: .milliseconds(10)) }
                }
                #expect(ready)
                // Loaded before any message: the held book has the episode the first store wrote.
                let book = try #require(ledger.take(at: 0))
                #expect(book.sortedEpisodes.map(\.serviceLine) == ["ophthalmology.cataract"])
                ledger.adopt(book)
                #expect(try await store.episodes(EpisodeQuery()).count == 1)
            }
        }
    }

    /// Without a normaliser there is no book, and the store is ready at once.
    @Test func aStoreWithoutEpisodesIsReadyWithoutLoading() async throws {
        try await withRunningStore { store in try await store.ping() }
    }
}
