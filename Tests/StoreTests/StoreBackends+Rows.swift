import CoManagement
import Foundation
import PostgresNIO

@testable import Store

/// Direct SQL against a test store's database, for setting up and checking rows the `Store` API does not
/// show. The statements are written in the SQL both backends accept.
enum RawSQL {
    /// Runs `sql` (positional `$1`-style text parameters are not needed here) and returns every column as
    /// text; select only columns that read as text in both backends (`CAST(x AS TEXT)`, `length(blob)`).
    static func rows(_ sql: String, in store: any OutboxStore) async throws -> [[String?]] {
        switch store {
        case let store as SQLiteStore:
            return try await store.write { (connection: inout SQLiteConnection) throws(StoreError) in
                try connection.query(sql).map { row in row.values.indices.map { row.text($0) } }
            }
        case let store as PostgresStore:
            return try await store.withSession { (session) throws(StoreError) -> [[String?]] in
                var rows: [[String?]] = []
                for row in try await session.query(PostgresQuery(unsafeSQL: sql)) {
                    rows.append(
                        try row.makeRandomAccess().map { cell throws(StoreError) -> String? in
                            do {
                                return try cell.decode(String?.self)
                            } catch {
                                throw StoreError(.corrupt, "\(error)")
                            }
                        }
                    )
                }
                return rows
            }
        default:
            throw StoreError(.invalidRequest, "not a test store")
        }
    }

    /// Inserts one pending outbox row of the (partner, episode) stream, as planning would.
    static func insertOutboxRow(
        _ partner: String,
        _ episode: String,
        _ number: Int,
        into store: any OutboxStore,
        at: Int64 = 1000
    ) async throws {
        let event = TimelineEvent(number: number, kind: .referralCreated, at: nil, summary: "s", source: "Task/t")
        let eventHex = try EpisodeJSON.encode(event).map { String(format: "%02x", $0) }.joined()
        let bodyHex = Array("body \(number)".utf8).map { String(format: "%02x", $0) }.joined()
        let blob: (String) -> String = { hex in store is PostgresStore ? "'\\x\(hex)'::bytea" : "X'\(hex)'" }
        guard !(store is PostgresStore) else {
            _ = try await self.rows(
                """
                INSERT INTO outbox (partner, episode_id, event_number, payload_ref, next_attempt_at, created_at,
                    delivery_id, event, body)
                VALUES ('\(partner)', '\(episode)', \(number), 'Task/t', \(at), \(at),
                    '\(partner)-\(episode)-\(number)', \(blob(eventHex)), \(blob(bodyHex)))
                ON CONFLICT DO NOTHING
                """,
                in: store
            )
            return
        }
        // SQLite keeps bodies in a table of their own (migration 6, `outbox bodies`).
        let inserted = try await self.rows(
            """
            INSERT INTO outbox (partner, episode_id, event_number, payload_ref, next_attempt_at, created_at,
                delivery_id, event)
            VALUES ('\(partner)', '\(episode)', \(number), 'Task/t', \(at), \(at), '\(partner)-\(episode)-\(number)',
                \(blob(eventHex)))
            ON CONFLICT DO NOTHING
            RETURNING CAST(id AS TEXT)
            """,
            in: store
        )
        if let row = inserted.first, let id = row.first ?? nil {
            _ = try await self.rows(
                "INSERT INTO outbox_body (outbox_id, body) VALUES (\(id), \(blob(bodyHex)))",
                in: store
            )
        }
    }
}
