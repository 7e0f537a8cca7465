import Testing

@testable import Store

@Suite struct DurabilityTests {
    @Test(arguments: Backend.allCases) func committedWritesSurviveCloseAndReopen(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { database in try await self.writeThenReopen(database) }
    }

    private func writeThenReopen(_ database: TestDatabase) async throws {
        try await withRunningStore(on: database) { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        _ = try await store.ingest(
                            Fixture.message([Fixture.update(id: "p\(index)", content: #"{"n":\#(index)}"#)])
                        )
                    }
                }
                try await group.waitForAll()
            }
        }
        try await withRunningStore(on: database) { store in
            for index in 0..<50 {
                let resource = try #require(try await store.read(type: "Patient", id: "p\(index)"))
                #expect(resource.content == Array(#"{"n":\#(index)}"#.utf8))
            }
            #expect(try await store.auditTrail(limit: 100).count == 50)
            try await store.ping()
        }
    }

    @Test func writerConnectionUsesWALWithFullSynchronousCommits() async throws {
        let database = try await TestDatabase.make(.sqlite)
        defer { database.removeFile() }
        guard case .sqlite(let location) = database.url else { return }
        try location.createDirectory()
        var connection = try SQLiteConnection(path: location.path, readOnly: false)
        try connection.configureForWriting(busyTimeoutMilliseconds: 1234)
        #expect(try connection.query("PRAGMA journal_mode").first?.text(0) == "wal")
        // 2 is FULL: the WAL is synced on every commit, so an acknowledged commit survives power loss.
        #expect(try connection.query("PRAGMA synchronous").first?.int(0) == 2)
        #expect(try connection.query("PRAGMA busy_timeout").first?.int(0) == 1234)
        #expect(try connection.query("PRAGMA foreign_keys").first?.int(0) == 1)
    }

    @Test(arguments: Backend.allCases) func writesAfterTheStoreStoppedFailInsteadOfHanging(
        _ backend: Backend
    ) async throws {
        let store = try await withRunningStore(backend) { $0 }
        let error = await #expect(throws: StoreError.self) {
            try await store.ingest(Fixture.message([Fixture.update(id: "p1", content: "{}")]))
        }
        #expect(error?.code == .closed)
    }
}
