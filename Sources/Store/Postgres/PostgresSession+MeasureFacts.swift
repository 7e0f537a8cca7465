import CoManagement
import PostgresNIO

extension PostgresSession {
    /// One page of the live episodes' measure facts, in id order after `afterID`. A row written before the
    /// store kept facts (or by a replica that does not yet) has them derived from its state and timeline.
    func measureFacts(
        serviceLine: String?,
        afterID: String,
        limit: Int
    ) async throws(StoreError) -> [EpisodeMeasureFacts] {
        var stored: [(String, MeasureFacts?, [UInt8], Int64)] = []
        for row in try await self.query(
            """
            SELECT id, measure, CASE WHEN measure IS NULL THEN state END, coalesce(partition_id, 0) FROM episode
            WHERE status != 'retired' AND id > \(afterID)
                AND (\(serviceLine)::text IS NULL OR service_line = \(serviceLine))
            ORDER BY id LIMIT \(Int64(max(0, limit)))
            """
        ) {
            let (id, measure, state, partition) = try row.columns((String, ByteBuffer?, ByteBuffer?, Int64).self)
            let facts = try measure.map { bytes throws(StoreError) in
                try EpisodeJSON.decode(MeasureFacts.self, from: [UInt8](bytea: bytes))
            }
            stored.append((id, facts, state.map { [UInt8](bytea: $0) } ?? [], partition))
        }
        let underived = stored.filter { $0.1 == nil }
        let events = try await self.timelines(partitions: underived.map(\.3), episodeIDs: underived.map(\.0))
        return try stored.map { row throws(StoreError) in
            if let facts = row.1 { return EpisodeMeasureFacts(episodeID: row.0, facts: facts) }
            let episode = try EpisodeJSON.episode(state: row.2, events: events[row.0] ?? [])
            return EpisodeMeasureFacts(episodeID: row.0, facts: MeasureFacts(episode))
        }
    }

    /// Gives every episode written before migration 18 its measure facts, a page per transaction;
    /// returns how many it filled. Nothing to do once they all have them.
    func fillMeasureFacts() async throws(StoreError) -> Int {
        var filled = 0
        while true {
            let page = try await self.transaction { (session) throws(StoreError) -> Int in
                var rows: [(String, [UInt8], Int64)] = []
                for row in try await session.query(
                    """
                    SELECT id, state, coalesce(partition_id, 0) FROM episode
                    WHERE measure IS NULL LIMIT 500 FOR UPDATE
                    """
                ) {
                    let (id, state, partition) = try row.columns((String, ByteBuffer, Int64).self)
                    rows.append((id, [UInt8](bytea: state), partition))
                }
                let events = try await session.timelines(partitions: rows.map(\.2), episodeIDs: rows.map(\.0))
                var ids: [String] = []
                var measures: [ByteBuffer] = []
                for row in rows {
                    let episode = try EpisodeJSON.episode(state: row.1, events: events[row.0] ?? [])
                    ids.append(row.0)
                    measures.append(try EpisodeJSON.measureFacts(of: episode).bytea)
                }
                if !ids.isEmpty {
                    try await session.query(
                        """
                        UPDATE episode SET measure = f.measure
                        FROM unnest(\(ids)::text[], \(measures)::bytea[]) AS f(id, measure) WHERE episode.id = f.id
                        """
                    )
                }
                return rows.count
            }
            guard page > 0 else { return filled }
            filled += page
        }
    }
}
