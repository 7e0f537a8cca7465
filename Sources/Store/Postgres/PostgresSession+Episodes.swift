import CoManagement
import Foundation
import PostgresNIO

extension PostgresSession {
    /// Makes `references` the resources the episode holds, writing only the rows that change.
    func replaceMembers(of episodeID: String, with references: [String]) async throws(StoreError) {
        try await self.query(
            """
            DELETE FROM episode_member WHERE episode_id = \(episodeID) AND NOT (reference = ANY(\(references)))
            """
        )
        guard !references.isEmpty else { return }
        try await self.query(
            """
            INSERT INTO episode_member (episode_id, reference, owner)
            SELECT \(episodeID), n.reference, r.owner FROM unnest(\(references)::text[]) AS n(reference)
            LEFT JOIN resource r ON r.type = split_part(n.reference, '/', 1) AND r.id = split_part(n.reference, '/', 2)
            ON CONFLICT (episode_id, reference) DO NOTHING
            """
        )
    }

    /// Writes one episode change: the episode's row (its state, without the timeline) in place and the
    /// change's new timeline events, appended (a re-keyed episode's events move to its new id). A timeline
    /// event number the episode already has fails with ``StoreError/Code/duplicate``.
    func write(
        _ change: Ingestion.EpisodeChange,
        partition: Int64?,
        messageID: Int64?,
        at: Int64
    ) async throws(StoreError) {
        let episode = change.episode
        try await self.query(
            """
            INSERT INTO episode (id, partition_id, patient_key, service_line, status, state, updated_at)
            VALUES (\(change.episodeID), \(partition), \(episode.patient.key), \(episode.serviceLine),
                \(episode.status.rawValue), \(try EpisodeJSON.state(of: episode).bytea), \(at))
            ON CONFLICT (id) DO UPDATE SET partition_id = excluded.partition_id, patient_key = excluded.patient_key,
                service_line = excluded.service_line, status = excluded.status, state = excluded.state,
                updated_at = excluded.updated_at
            """
        )
        try await self.replaceMembers(of: change.episodeID, with: episode.memberReferences)
        if let previous = change.previousEpisodeID, previous != change.episodeID {
            try await self.query(
                "UPDATE episode_event SET episode_id = \(change.episodeID) WHERE episode_id = \(previous)"
            )
            try await self.query("DELETE FROM episode WHERE id = \(previous)")
            try await self.replaceMembers(of: previous, with: [])
        }
        for event in change.events {
            try await self.insertEvent(
                episodeID: change.episodeID,
                number: event.number,
                kind: event.kind.rawValue,
                payload: try EpisodeJSON.encode(event),
                messageID: messageID,
                at: at
            )
        }
    }

    /// Appends one timeline event; a number the episode already has fails with ``StoreError/Code/duplicate``.
    func insertEvent(
        episodeID: String,
        number: Int,
        kind: String,
        payload: [UInt8],
        messageID: Int64?,
        at: Int64
    ) async throws(StoreError) {
        try await self.query(
            """
            INSERT INTO episode_event (episode_id, number, kind, payload, message_id, recorded_at)
            VALUES (\(episodeID), \(Int64(number)), \(kind), \(payload.bytea), \(messageID), \(at))
            """
        )
    }
}
