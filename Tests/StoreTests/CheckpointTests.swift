import Foundation
import Logging
import Testing

@testable import Store

/// The writer never checkpoints (a checkpoint inside a group's COMMIT stalls every request of the
/// group); the store's background checkpointer copies the WAL into the database instead.
@Suite struct CheckpointTests {
    @Test func writerLeavesCheckpointsToTheBackground() throws {
        let database = TemporaryDatabase()
        defer { database.cleanUp() }
        try database.location.createDirectory()
        let connection = try SQLiteConnection(path: database.location.path, readOnly: false)
        try connection.configureForWriting(busyTimeoutMilliseconds: 100, backgroundCheckpoints: true)
        var writer = connection
        #expect(try writer.query("PRAGMA wal_autocheckpoint").first?.int(0) == 0)
    }

    @Test func committedPagesReachTheDatabaseFileWhileTheStoreRuns() async throws {
        let database = TemporaryDatabase()
        defer { database.cleanUp() }
        let store = try await SQLiteStore.open(
            at: database.location,
            configuration: SQLiteStore.Configuration(checkpointInterval: .milliseconds(20)),
            logger: Logger(label: "tandem.test.store", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let path = database.location.path
        let sizeAtOpen = try Self.size(of: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            for index in 0..<200 {
                let content = #"{"n":\#(index),"padding":"\#(String(repeating: "x", count: 400))"}"#
                _ = try await store.ingest(Fixture.message([Fixture.update(id: "p\(index)", content: content)]))
            }
            // The WAL holds the commits at once; the database file only once a checkpoint copied them.
            var checkpointed = false
            for _ in 0..<200 where !checkpointed {
                try await Task.sleep(for: .milliseconds(10))
                checkpointed = try Self.size(of: path) > sizeAtOpen + 64 * 1024
            }
            let sizeNow = try Self.size(of: path)
            #expect(checkpointed, "the database file stayed at \(sizeNow) bytes (\(sizeAtOpen) at open)")
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    static func size(of path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
