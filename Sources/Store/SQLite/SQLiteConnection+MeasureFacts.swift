import CoManagement

extension SQLiteConnection {
    /// One page of the live episodes' measure facts, in id order after `afterID`. A row written before the
    /// store kept facts has them derived from its state and timeline.
    mutating func measureFacts(
        serviceLine: String?,
        afterID: String,
        limit: Int
    ) throws(StoreError) -> [EpisodeMeasureFacts] {
        try self.query(
            """
            SELECT id, measure, CASE WHEN measure IS NULL THEN state END, partition_id FROM episode
            WHERE status != 'retired' AND id > ?1 AND (?2 IS NULL OR service_line = ?2) ORDER BY id LIMIT ?3
            """,
            [.text(afterID), SQLiteValue(serviceLine), .integer(Int64(max(0, limit)))]
        ).map { row throws(StoreError) in
            let id = row.text(0) ?? ""
            if case .blob(let measure) = row.values[1] {
                return EpisodeMeasureFacts(
                    episodeID: id,
                    facts: try EpisodeJSON.decode(MeasureFacts.self, from: measure)
                )
            }
            let episode = try EpisodeJSON.episode(
                state: row.blob(2),
                events: try self.timelinePayloads(partition: row.integer(3) ?? 0, episodeID: id)
            )
            return EpisodeMeasureFacts(episodeID: id, facts: MeasureFacts(episode))
        }
    }

    /// Gives every episode written before migration 21 its measure facts, a page per transaction;
    /// returns how many it filled. Nothing to do once they all have them.
    mutating func fillMeasureFacts() throws(StoreError) -> Int {
        var filled = 0
        while true {
            let rows = try self.query(
                "SELECT id, state, partition_id FROM episode WHERE measure IS NULL LIMIT 500"
            )
            guard !rows.isEmpty else { return filled }
            try self.execute("BEGIN IMMEDIATE")
            do throws(StoreError) {
                for row in rows {
                    let id = row.text(0) ?? ""
                    let episode = try EpisodeJSON.episode(
                        state: row.blob(1),
                        events: try self.timelinePayloads(partition: row.integer(2) ?? 0, episodeID: id)
                    )
                    try self.query(
                        "UPDATE episode SET measure = ? WHERE id = ?",
                        [.blob(try EpisodeJSON.measureFacts(of: episode)), .text(id)]
                    )
                }
                try self.execute("COMMIT")
            } catch {
                try? self.execute("ROLLBACK")
                throw error
            }
            filled += rows.count
        }
    }

    /// An episode's timeline events as stored, in number order.
    mutating func timelinePayloads(partition: Int64, episodeID: String) throws(StoreError) -> [[UInt8]] {
        try self.query(
            "SELECT payload FROM episode_event WHERE partition_id = ? AND episode_id = ? ORDER BY number",
            [.integer(partition), .text(episodeID)]
        ).map { $0.blob(0) }
    }
}
