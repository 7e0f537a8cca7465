import Logging
import ServiceLifecycle
import Testing

@testable import Store

/// The SQLite writer's loop runs on a thread of its own: graceful shutdown still commits every write
/// queued before it and answers each one, and a write after it fails instead of hanging.
@Suite struct WriterShutdownTests {
    @Test(.timeLimit(.minutes(1))) func gracefulShutdownCommitsWhatWasQueuedAndRefusesWhatComesAfter() async throws {
        try await withTestDatabase(.sqlite) { database in
            let store = try await database.open()
            let group = ServiceGroup(services: [store], logger: Backend.logger)
            let acknowledged = try await withThrowingTaskGroup(of: Int.self) { tasks in
                tasks.addTask {
                    try await group.run()
                    return -1
                }
                // Queue many writes at once, then ask for shutdown while they are still queued.
                var writes: [Task<Int?, Never>] = []
                for index in 0..<200 {
                    writes.append(
                        Task {
                            let message = Fixture.message([Fixture.update(id: "p\(index)", content: "{}")])
                            return (try? await store.ingest(message)) == nil ? nil : index
                        }
                    )
                }
                await group.triggerGracefulShutdown()
                var acknowledged = 0
                for write in writes where await write.value != nil { acknowledged += 1 }
                for try await _ in tasks {}
                return acknowledged
            }
            #expect(acknowledged > 0)
            let late = await #expect(throws: StoreError.self) {
                try await store.ingest(Fixture.message([Fixture.update(id: "late", content: "{}")]))
            }
            #expect(late?.code == .closed)
            // Every acknowledged write is in the database; none that was refused is.
            let stored = try await withRunningStore(on: database) { reopened in
                try await reopened.auditTrail(limit: 500).count
            }
            #expect(stored == acknowledged)
        }
    }
}
