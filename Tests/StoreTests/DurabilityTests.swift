import Testing

@testable import Store

@Suite struct DurabilityTests {
    @Test func committedWritesSurviveCloseAndReopen() async throws {
        let database = TemporaryDatabase()
        defer { database.cleanUp() }
        try await withRunningStore(at: database.location) { store in
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
        try await withRunningStore(at: database.location) { store in
            for index in 0..<50 {
                let resource = try #require(try await store.read(type: "Patient", id: "p\(index)"))
                #expect(resource.content == Array(#"{"n":\#(index)}"#.utf8))
            }
            #expect(try await store.auditTrail(limit: 100).count == 50)
            try await store.ping()
        }
    }

    @Test func writerConnectionUsesWALWithFullSynchronousCommits() throws {
        let database = TemporaryDatabase()
        defer { database.cleanUp() }
        try database.location.createDirectory()
        var connection = try SQLiteConnection(path: database.location.path, readOnly: false)
        try connection.configureForWriting(busyTimeoutMilliseconds: 1234)
        #expect(try connection.query("PRAGMA journal_mode").first?.text(0) == "wal")
        // 2 is FULL: the WAL is synced on every commit, so an acknowledged commit survives power loss.
        #expect(try connection.query("PRAGMA synchronous").first?.int(0) == 2)
        #expect(try connection.query("PRAGMA busy_timeout").first?.int(0) == 1234)
        #expect(try connection.query("PRAGMA foreign_keys").first?.int(0) == 1)
    }

    @Test func writesAfterTheStoreStoppedFailInsteadOfHanging() async throws {
        let store = try await withRunningStore { $0 }
        let error = await #expect(throws: StoreError.self) {
            try await store.ingest(Fixture.message([Fixture.update(id: "p1", content: "{}")]))
        }
        #expect(error?.code == .closed)
    }
}
