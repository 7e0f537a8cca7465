import CoManagement
import Store
import Testing

@Suite struct TransactionTests {
    @Test(arguments: Backend.allCases) func failingWriteRollsBackTheWholeAtomicMessage(_ backend: Backend) async throws
    {
        try await withRunningStore(backend) { store in
            _ = try await store.ingest(Fixture.message([Fixture.update(id: "p1", content: #"{"a":1}"#)]))
            let message = Fixture.message(
                [Fixture.update(id: "p2", content: "{}"), Fixture.update(id: "p1", content: #"{"a":2}"#, ifMatch: 7)],
                interaction: "transaction"
            )
            let error = await #expect(throws: StoreError.self) { try await store.ingest(message) }
            #expect(error?.code == .versionConflict)
            #expect(error?.entry == 1)
            #expect(try await store.read(type: "Patient", id: "p2") == nil)
            #expect(try await store.read(type: "Patient", id: "p1")?.version == 1)
        }
    }

    @Test(arguments: Backend.allCases) func batchEntriesSucceedOrFailOnTheirOwn(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            let message = Fixture.message(
                [Fixture.update(id: "p2", content: "{}"), Fixture.update(id: "p3", content: "{}", ifMatch: 4)],
                atomic: false,
                interaction: "batch"
            )
            let result = try await store.ingest(message)
            #expect(try result.entries[0].get().disposition == .created)
            #expect(throws: StoreError.self) { try result.entries[1].get() }
            #expect(try await store.read(type: "Patient", id: "p2") != nil)
            #expect(try await store.read(type: "Patient", id: "p3") == nil)
            #expect(try await store.auditTrail(limit: 10).map(\.action).sorted() == ["created", "rejected"])
        }
    }

    @Test(arguments: Backend.allCases) func oneRequestsFailureDoesNotFailItsCommitGroup(_ backend: Backend) async throws
    {
        try await withRunningStore(backend) { store in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        // Every fifth write names a version that does not exist and must fail alone.
                        let ifMatch = index % 5 == 0 ? 9 : nil
                        let write = Fixture.update(id: "p\(index)", content: "{}", ifMatch: ifMatch)
                        do {
                            _ = try await store.ingest(Fixture.message([write]))
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                let outcomes = try await group.reduce(into: []) { $0.append($1) }
                #expect(outcomes.filter { $0 }.count == 16)
            }
            for index in 0..<20 {
                #expect((try await store.read(type: "Patient", id: "p\(index)") != nil) == (index % 5 != 0))
            }
        }
    }

    @Test(arguments: Backend.allCases) func episodeEventNumbersAreUnique(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            func change(_ number: Int) -> Ingestion.EpisodeChange {
                Ingestion.EpisodeChange(
                    episodeID: "ep-1",
                    events: [
                        TimelineEvent(number: number, kind: .referralCreated, at: nil, summary: "s", source: "Task/t")
                    ],
                    episode: Episode(
                        id: "ep-1",
                        patient: PatientSummary(key: "urn:mrn|1"),
                        serviceLine: "ophthalmology.cataract"
                    )
                )
            }
            _ = try await store.ingest(Fixture.message([], episodes: [change(1)]))
            _ = try await store.ingest(Fixture.message([], episodes: [change(2)]))
            let error = await #expect(throws: StoreError.self) {
                try await store.ingest(
                    Fixture.message([Fixture.update(id: "p1", content: "{}")], episodes: [change(2)])
                )
            }
            #expect(error?.code == .duplicate)
            #expect(try await store.read(type: "Patient", id: "p1") == nil)
        }
    }
}
