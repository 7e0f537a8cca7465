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

    @Test func indexedAppendsAddOneEntryPerTableForEachBody() async throws {
        let database = TemporaryDatabase()
        defer { database.cleanUp() }
        let indexes = AppendedIndexes(random: 2, ordered: 1)
        let store = try await SQLiteStore.openForAppending(
            at: database.location,
            indexes: indexes,
            logger: Logger(label: "tandem.test.store", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            try await withThrowingTaskGroup(of: Void.self) { appends in
                for index in 0..<20 {
                    appends.addTask { try await store.append(Array("body \(index)".utf8), indexes: indexes) }
                }
                try await appends.waitForAll()
            }
            var reader = try SQLiteConnection(path: database.location.path, readOnly: true)
            for table in ["appended_random_1", "appended_random_2", "appended_ordered_1"] {
                // One 8- or 16-byte key per body, every body's, none twice.
                let rows = try reader.query(
                    """
                    SELECT count(*), count(DISTINCT key), count(DISTINCT body), min(length(key)),
                        (SELECT count(*) FROM appended_body WHERE id NOT IN (SELECT body FROM \(table)))
                    FROM \(table)
                    """
                )
                let keyLength = table.hasPrefix("appended_random") ? 16 : 8
                #expect(rows.first.map { (0..<5).map($0.int) } == [20, 20, 20, keyLength, 0], "\(table)")
            }
            // The ordered keys are the bodies' row ids, big-endian: their order is the bodies' order.
            let ordered = try reader.query(
                "SELECT count(*) FROM appended_ordered_1 o JOIN appended_body b ON b.id = o.body WHERE hex(o.key) != printf('%016X', b.id)"
            )
            #expect(ordered.first?.int(0) == 0)
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}
