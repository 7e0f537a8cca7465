import Store
import Testing

@Suite struct IdempotencyTests {
    @Test func eightConcurrentIdenticalPostsYieldOneResource() async throws {
        let database = TemporaryDatabase()
        defer { database.cleanUp() }
        try await withRunningStore(at: database.location) { store in
            let results = try await withThrowingTaskGroup(of: WriteResult.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        // Each post gets its own server-assigned id, as the HTTP layer does.
                        try #require(try await store.ingest(Fixture.message([Fixture.create()])).successes().first)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0.disposition == .created }.count == 1)
            #expect(results.filter { $0.disposition == .unchanged }.count == 7)
            #expect(Set(results.map(\.resource.id)).count == 1)
            #expect(Set(results.map(\.resource.version)) == [1])
            let id = try #require(results.first?.resource.id)
            #expect(try await store.history(type: "ServiceRequest", id: id).count == 1)
            #expect(try await store.search(type: "ServiceRequest", identifier: "urn:oid:1.2.3|SR-1").count == 1)
        }
    }

    @Test func changedResourceWithSameIdentifierBecomesANewVersion() async throws {
        try await withRunningStore { store in
            let first = try #require(try await store.ingest(Fixture.message([Fixture.create()])).successes().first)
            let changed = Fixture.create(content: Fixture.serviceRequest(status: "completed"))
            let second = try #require(try await store.ingest(Fixture.message([changed])).successes().first)
            #expect(second.disposition == .updated)
            #expect(second.resource.id == first.resource.id)
            #expect(second.resource.version == 2)
        }
    }

    @Test func differentIdentifiersMakeDifferentResources() async throws {
        try await withRunningStore { store in
            let one = try #require(try await store.ingest(Fixture.message([Fixture.create()])).successes().first)
            let other = Fixture.create(identifierKey: "urn:oid:1.2.3|SR-2")
            let two = try #require(try await store.ingest(Fixture.message([other])).successes().first)
            #expect(two.disposition == .created)
            #expect(one.resource.id != two.resource.id)
        }
    }

    @Test func updateThatTakesAnotherResourcesIdentifierIsRefused() async throws {
        try await withRunningStore { store in
            _ = try await store.ingest(Fixture.message([Fixture.create()]))
            var write = Fixture.update("ServiceRequest", id: "sr-other", content: "{}")
            write.identifierKey = "urn:oid:1.2.3|SR-1"
            let error = await #expect(throws: StoreError.self) { try await store.ingest(Fixture.message([write])) }
            #expect(error?.code == .duplicate)
        }
    }

    @Test func referencedIdThatResolvesElsewhereFailsTheTransaction() async throws {
        try await withRunningStore { store in
            _ = try await store.ingest(Fixture.message([Fixture.create(id: "sr-a")]))
            var write = Fixture.create(id: "sr-b")
            write.idIsReferenced = true
            let error = await #expect(throws: StoreError.self) { try await store.ingest(Fixture.message([write])) }
            #expect(error?.code == .duplicate)
        }
    }
}
