import Store
import Testing

@Suite struct IdempotencyTests {
    @Test(arguments: Backend.allCases) func eightConcurrentIdenticalPostsYieldOneResource(
        _ backend: Backend
    ) async throws {
        try await withTestDatabase(backend) { database in
            try await withRunningStore(on: database) { store in
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
                #expect(
                    try await store.search(type: "ServiceRequest", identifier: "urn:oid:1.2.3|SR-1", owner: nil).count
                        == 1
                )
            }
        }
    }

    @Test(arguments: Backend.allCases) func changedResourceWithSameIdentifierBecomesANewVersion(
        _ backend: Backend
    ) async throws {
        try await withRunningStore(backend) { store in
            let first = try #require(try await store.ingest(Fixture.message([Fixture.create()])).successes().first)
            let changed = Fixture.create(content: Fixture.serviceRequest(status: "completed"))
            let second = try #require(try await store.ingest(Fixture.message([changed])).successes().first)
            #expect(second.disposition == .updated)
            #expect(second.resource.id == first.resource.id)
            #expect(second.resource.version == 2)
        }
    }

    @Test(arguments: Backend.allCases) func differentIdentifiersMakeDifferentResources(_ backend: Backend) async throws
    {
        try await withRunningStore(backend) { store in
            let one = try #require(try await store.ingest(Fixture.message([Fixture.create()])).successes().first)
            let other = Fixture.create(identifierKey: "urn:oid:1.2.3|SR-2")
            let two = try #require(try await store.ingest(Fixture.message([other])).successes().first)
            #expect(two.disposition == .created)
            #expect(one.resource.id != two.resource.id)
        }
    }

    /// A resource recognised by its sender's business identifier is the same resource whichever id the
    /// sender uses for it: the write lands on the holder, and the new id becomes the sender's name for it.
    @Test(arguments: Backend.allCases) func updateUnderANewIdOfAHeldIdentifierUpdatesTheHolder(
        _ backend: Backend
    ) async throws {
        try await withRunningStore(backend) { store in
            let held = try #require(try await store.ingest(Fixture.message([Fixture.create()])).successes().first)
            var write = Fixture.update("ServiceRequest", id: "sr-other", content: "{}")
            write.identifierKey = "urn:oid:1.2.3|SR-1"
            write.senderID = "sr-other"
            let result = try #require(try await store.ingest(Fixture.message([write])).successes().first)
            #expect(result.disposition == .updated && result.resource.id == held.resource.id)
            let lookup = try await store.lookUp(
                [ResourceName(type: "ServiceRequest", id: "sr-other")],
                sender: "st-marys"
            )
            #expect(lookup.aliases[ResourceName(type: "ServiceRequest", id: "sr-other")] == held.resource.id)
        }
    }

    @Test(arguments: Backend.allCases) func existingResourceThatTakesAnotherOnesIdentifierIsRefused(
        _ backend: Backend
    ) async throws {
        try await withRunningStore(backend) { store in
            _ = try await store.ingest(Fixture.message([Fixture.create()]))
            _ = try await store.ingest(
                Fixture.message([Fixture.update("ServiceRequest", id: "sr-other", content: "{}")])
            )
            var write = Fixture.update("ServiceRequest", id: "sr-other", content: #"{"a":1}"#)
            write.identifierKey = "urn:oid:1.2.3|SR-1"
            let error = await #expect(throws: StoreError.self) { try await store.ingest(Fixture.message([write])) }
            #expect(error?.code == .duplicate)
            #expect(error?.publicMessage?.contains("already names another ServiceRequest of this sender") == true)
        }
    }

    @Test(arguments: Backend.allCases) func referencedIdThatResolvesElsewhereFailsTheTransaction(
        _ backend: Backend
    ) async throws {
        try await withRunningStore(backend) { store in
            _ = try await store.ingest(Fixture.message([Fixture.create(id: "sr-a")]))
            var write = Fixture.create(id: "sr-b")
            write.idIsReferenced = true
            let error = await #expect(throws: StoreError.self) { try await store.ingest(Fixture.message([write])) }
            #expect(error?.code == .stalePlan)
        }
    }
}
