import Foundation

extension SQLiteConnection {
    /// Writes the index tokens of every stored resource again when the index was made by an older version
    /// of the rules (``SearchIndexing``), in one transaction, and records the version; returns how many
    /// resources it indexed (0 when the index is current). Runs when the store opens, before any write.
    mutating func reindexSearch(_ indexing: any SearchIndexing, at: Int64) throws(StoreError) -> Int {
        let current = try self.query("SELECT value FROM store_state WHERE name = 'search_index'").first?.text(0)
        guard (current.flatMap { Int($0) } ?? 0) < indexing.version else { return 0 }
        try self.execute("BEGIN IMMEDIATE")
        do {
            var indexed = 0
            var after = ("", "")
            while true {
                let rows = try self.query(
                    """
                    SELECT r.type, r.id, v.content FROM resource r
                        JOIN resource_version v ON v.type = r.type AND v.id = r.id AND v.version = r.version
                    WHERE r.deleted = 0 AND (r.type, r.id) > (?, ?) ORDER BY r.type, r.id LIMIT 500
                    """,
                    [.text(after.0), .text(after.1)]
                )
                guard let last = rows.last else { break }
                for row in rows {
                    let (type, id) = (row.text(0) ?? "", row.text(1) ?? "")
                    try self.query(
                        "DELETE FROM resource_identifier WHERE type = ? AND id = ?",
                        [.text(type), .text(id)]
                    )
                    for token in Set(indexing.tokens(type: type, content: row.blob(2))) {
                        try self.query(
                            "INSERT INTO resource_identifier (type, token, id) VALUES (?, ?, ?)",
                            [.text(type), .text(token), .text(id)]
                        )
                    }
                }
                indexed += rows.count
                after = (last.text(0) ?? "", last.text(1) ?? "")
            }
            try self.query(
                """
                INSERT INTO store_state (name, value, changed_at) VALUES ('search_index', ?, ?)
                ON CONFLICT (name) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at
                """,
                [.text(String(indexing.version)), .integer(at)]
            )
            try self.execute("COMMIT")
            return indexed
        } catch {
            try? self.execute("ROLLBACK")
            throw error
        }
    }
}
