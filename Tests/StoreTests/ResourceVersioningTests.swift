import Store
import Testing

@Suite struct ResourceVersioningTests {
    @Test(arguments: Backend.allCases) func createThenUpdateMakesNumberedVersions(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            let created = try await store.ingest(
                Fixture.message([Fixture.update(id: "p1", content: #"{"gender":"male"}"#)])
            )
            #expect(try created.successes().map(\.disposition) == [.created])
            let updated = try await store.ingest(
                Fixture.message([Fixture.update(id: "p1", content: #"{"gender":"female"}"#)])
            )
            #expect(try updated.successes().first?.resource.version == 2)
            #expect(try updated.successes().first?.disposition == .updated)

            let current = try #require(try await store.read(type: "Patient", id: "p1"))
            #expect(current.version == 2)
            #expect(current.content == Array(#"{"gender":"female"}"#.utf8))
            let first = try #require(try await store.read(type: "Patient", id: "p1", version: 1))
            #expect(first.content == Array(#"{"gender":"male"}"#.utf8))
            #expect(try await store.history(type: "Patient", id: "p1").map(\.version) == [2, 1])
            #expect(try await store.read(type: "Patient", id: "p1", version: 3) == nil)
            #expect(try await store.read(type: "Patient", id: "nope") == nil)
            #expect(try await store.history(type: "Patient", id: "nope").isEmpty)
        }
    }

    @Test(arguments: Backend.allCases) func unchangedContentMakesNoNewVersion(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            _ = try await store.ingest(Fixture.message([Fixture.update(id: "p1", content: #"{"gender":"male"}"#)]))
            let again = try await store.ingest(
                Fixture.message([Fixture.update(id: "p1", content: #"{"gender":"male"}"#)])
            )
            let result = try #require(try again.successes().first)
            #expect(result.disposition == .unchanged)
            #expect(result.resource.version == 1)
            #expect(try await store.history(type: "Patient", id: "p1").count == 1)
        }
    }

    @Test(arguments: Backend.allCases) func ifMatchOnAnOlderVersionIsAConflict(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            _ = try await store.ingest(Fixture.message([Fixture.update(id: "p1", content: #"{"a":1}"#)]))
            _ = try await store.ingest(Fixture.message([Fixture.update(id: "p1", content: #"{"a":2}"#, ifMatch: 1)]))
            let error = await #expect(throws: StoreError.self) {
                try await store.ingest(Fixture.message([Fixture.update(id: "p1", content: #"{"a":3}"#, ifMatch: 1)]))
            }
            #expect(error?.code == .versionConflict)
            #expect(error?.currentVersion == 2)
            #expect(try await store.read(type: "Patient", id: "p1")?.version == 2)
        }
    }

    @Test(arguments: Backend.allCases) func ifMatchOnAMissingResourceIsAConflict(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            let error = await #expect(throws: StoreError.self) {
                try await store.ingest(Fixture.message([Fixture.update(id: "p9", content: "{}", ifMatch: 1)]))
            }
            #expect(error?.code == .versionConflict)
        }
    }

    @Test(arguments: Backend.allCases) func conditionalCreateReturnsTheSingleMatch(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            let token = "http://hospital.example/mrn|123"
            _ = try await store.ingest(Fixture.message([Fixture.update(id: "p1", content: "{}", identifiers: [token])]))
            let write = Fixture.create(
                "Patient",
                content: Array(#"{"x":1}"#.utf8),
                identifierKey: nil,
                ifNoneExist: token
            )
            let result = try #require(try await store.ingest(Fixture.message([write])).successes().first)
            #expect(result.disposition == .matched)
            #expect(result.resource.id == "p1")
            #expect(try await store.search(type: "Patient", identifier: token, owner: nil).map(\.id) == ["p1"])

            _ = try await store.ingest(Fixture.message([Fixture.update(id: "p2", content: "{}", identifiers: [token])]))
            let error = await #expect(throws: StoreError.self) { try await store.ingest(Fixture.message([write])) }
            #expect(error?.code == .multipleMatches)
        }
    }

    @Test(arguments: Backend.allCases) func acceptedWritesAreAudited(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            let result = try await store.ingest(
                Fixture.message([Fixture.update(id: "p1", content: "{}")], interaction: "update")
            )
            let trail = try await store.auditTrail(limit: 10)
            #expect(trail.count == 1)
            #expect(trail.first?.action == "created")
            #expect(trail.first?.resourceReference == "Patient/p1/_history/1")
            #expect(trail.first?.messageID == result.messageID)
            #expect(trail.first?.sender == "st-marys")
        }
    }
}
