import CoManagement
import Foundation

@testable import Store

/// For the tests of what only the embedded store has (its connection, its file, its checkpointer):
/// a migrated in-memory connection, outbox rows written on it, and a database file to open stores on.
enum SQLiteOutbox {
    static func connection() throws -> SQLiteConnection {
        var connection = try SQLiteConnection(path: ":memory:", readOnly: false)
        _ = try connection.migrate(now: 1)
        return connection
    }

    /// Inserts one pending outbox row of the (partner, episode) stream, as planning would.
    static func insert(
        _ partner: String,
        _ episode: String,
        _ number: Int,
        into connection: inout SQLiteConnection,
        at: Int64 = 1000
    ) throws {
        let event = TimelineEvent(number: number, kind: .referralCreated, at: nil, summary: "s", source: "Task/t")
        let body = Array("body \(number)".utf8)
        // Before migration 6 (`outbox bodies`) the body was a column of the row; tests of migrations insert
        // rows at older schema versions.
        let bodyInRow = try connection.schemaVersion() < SQLiteMigration.outboxBodies.version
        let inserted = try connection.query(
            """
            INSERT OR IGNORE INTO outbox (partner, episode_id, event_number, payload_ref, next_attempt_at, created_at,
                delivery_id, event\(bodyInRow ? ", body" : ""))
            VALUES (?, ?, ?, 'Task/t', ?, ?, ?, ?\(bodyInRow ? ", ?" : ""))
            RETURNING id
            """,
            [
                .text(partner), .text(episode), .integer(Int64(number)), .integer(at), .integer(at),
                .text("\(partner)-\(episode)-\(number)"), .blob(try EpisodeJSON.encode(event)),
            ] + (bodyInRow ? [.blob(body)] : [])
        )
        if !bodyInRow, let id = inserted.first?.integer(0) { try connection.insertBody(body, of: id) }
    }
}

/// A SQLite database file in a temporary directory; `cleanUp` removes the directory.
struct TemporaryDatabase {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-store-\(UUID().uuidString)")

    var location: StoreLocation { .file(self.directory.appendingPathComponent("data/tandem.sqlite").path) }

    var testDatabase: TestDatabase { TestDatabase(url: .sqlite(self.location)) }

    func cleanUp() {
        try? FileManager.default.removeItem(at: self.directory)
    }
}
