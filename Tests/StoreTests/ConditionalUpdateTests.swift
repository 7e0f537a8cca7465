import Store
import Testing

@Suite struct ConditionalUpdateTests {
    static func conditional(id: String, content: String, referenced: Bool = false) -> ResourceWrite {
        ResourceWrite(
            type: "CareTeam",
            mode: .conditionalUpdate(identifier: "urn:oid:9|CT-1", proposedID: id),
            content: Array(content.utf8),
            identifiers: ["urn:oid:9|CT-1"],
            idIsReferenced: referenced
        )
    }

    @Test(arguments: Backend.allCases) func noMatchCreatesAndAMatchIsUpdated(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            let first = try await store.ingest(Fixture.message([Self.conditional(id: "ct1", content: #"{"a":1}"#)]))
            #expect(try first.successes().map(\.disposition) == [.created])
            // A different proposed id still updates the one match.
            let second = try await store.ingest(Fixture.message([Self.conditional(id: "other", content: #"{"a":2}"#)]))
            let result = try #require(try second.successes().first)
            #expect(result.disposition == .updated)
            #expect(result.resource.id == "ct1")
            #expect(try await store.read(type: "CareTeam", id: "other") == nil)
        }
    }

    @Test(arguments: Backend.allCases) func concurrentConditionalUpdatesMakeOneResource(_ backend: Backend) async throws
    {
        try await withRunningStore(backend) { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        _ = try await store.ingest(Fixture.message([Self.conditional(id: "ct\(index)", content: "{}")]))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.search(type: "CareTeam", identifier: "urn:oid:9|CT-1", owner: nil).count == 1)
        }
    }

    @Test(arguments: Backend.allCases) func referencedWriteWhoseMatchMovedIsRefused(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            _ = try await store.ingest(Fixture.message([Self.conditional(id: "ct1", content: "{}")]))
            let message = Fixture.message([Self.conditional(id: "planned", content: #"{"b":1}"#, referenced: true)])
            let error = await #expect(throws: StoreError.self) { try await store.ingest(message) }
            #expect(error?.code == .stalePlan)
        }
    }
}
