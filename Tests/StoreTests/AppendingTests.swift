import Foundation
import Logging
import Testing

@testable import Store

/// The durable floor's entry point: bodies appended through the writer's group commit are in the
/// database once `append` returns.
@Suite struct AppendingTests {
    @Test func appendedBodiesAreCommittedWhenAppendReturns() async throws {
        let database = TemporaryDatabase()
        defer { database.cleanUp() }
        let store = try await SQLiteStore.openForAppending(
            at: database.location,
            logger: Logger(label: "tandem.test.store", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            // Concurrent appends, so the writer takes some of them as one group.
            try await withThrowingTaskGroup(of: Void.self) { appends in
                for index in 0..<50 { appends.addTask { try await store.append(Array("body \(index)".utf8)) } }
                try await appends.waitForAll()
            }
            // A second connection sees every committed row.
            var reader = try SQLiteConnection(path: database.location.path, readOnly: true)
            let rows = try reader.query("SELECT count(*), sum(length(body)) FROM appended_body")
            #expect(rows.first?.int(0) == 50)
            #expect(rows.first?.int(1) == (0..<50).map { "body \($0)".utf8.count }.reduce(0, +))
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}
