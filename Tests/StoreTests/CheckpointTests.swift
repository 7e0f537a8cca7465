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

    /// Under steady writes the background checkpointer alone never lets the WAL start again (the writer
    /// appends while it copies); the writer finishes the checkpoint between groups once the WAL is past
    /// the restart size, so the WAL stays near that size however much is written.
    @Test func theWALStartsAgainInsteadOfGrowingUnderSteadyWrites() async throws {
        let database = TemporaryDatabase()
        defer { database.cleanUp() }
        let store = try await SQLiteStore.open(
            at: database.location,
            configuration: SQLiteStore.Configuration(checkpointInterval: .milliseconds(10), walRestartFrames: 64),
            logger: Logger(label: "tandem.test.store", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let wal = database.location.path + "-wal"
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            // About 8 MB of resource versions, one commit each: far past 64 frames.
            let padding = String(repeating: "x", count: 8000)
            var largest = 0
            for index in 0..<1000 {
                let content = #"{"n":\#(index),"padding":"\#(padding)"}"#
                _ = try await store.ingest(Fixture.message([Fixture.update(id: "p\(index % 50)", content: content)]))
                largest = max(largest, try Self.size(of: wal))
            }
            #expect(largest < 4 << 20, "the WAL grew to \(largest) bytes")
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    static func size(of path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
