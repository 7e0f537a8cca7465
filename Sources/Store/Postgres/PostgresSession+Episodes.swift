import CoManagement
import Foundation
import PostgresNIO

extension PostgresSession {
    /// Makes `references` the resources the episode holds: the episode row's `members` and `owners`, and
    /// the `episode_member` rows that change. Call it after the episode's row is written.
    func replaceMembers(of episodeID: String, with references: [String]) async throws(StoreError) {
        let row = try await self.query("SELECT members FROM episode WHERE id = \(episodeID)").first
        let held = EpisodeMembers(try row.map { row throws(StoreError) in try row.columns(String.self) } ?? "")
        let wanted = EpisodeMembers(references)
        guard held != wanted else { return }
        let removed = held.references.subtracting(wanted.references).sorted()
        if !removed.isEmpty {
            try await self.query(
                "DELETE FROM episode_member WHERE episode_id = \(episodeID) AND reference = ANY(\(removed))"
            )
        }
        let added = wanted.references.subtracting(held.references).sorted()
        if !added.isEmpty {
            try await self.query(
                """
                INSERT INTO episode_member (reference, episode_id)
                SELECT n, \(episodeID) FROM unnest(\(added)::text[]) AS n ON CONFLICT DO NOTHING
                """
            )
        }
        let names = wanted.references.compactMap(ResourceName.init(reference:))
        var owners: Set<String> = []
        if !names.isEmpty {
            for row in try await self.query(
                """
                SELECT DISTINCT r.owner FROM unnest(\(names.map(\.type))::text[], \(names.map(\.id))::text[])
                    AS n(type, id) JOIN resource r ON r.type = n.type AND r.id = n.id
                WHERE r.owner != ''
                """
            ) {
                owners.insert(try row.columns(String.self))
            }
        }
        try await self.query(
            """
            UPDATE episode SET members = \(wanted.text), owners = \(EpisodeMembers.ownerList(owners))
            WHERE id = \(episodeID)
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
        let partitionKey = partition ?? 0
        if let previous = change.previousEpisodeID, previous != change.episodeID {
            try await self.query(
                """
                UPDATE episode_event SET episode_id = \(change.episodeID)
                WHERE partition_id = \(partitionKey) AND episode_id = \(previous)
                """
            )
            try await self.replaceMembers(of: previous, with: [])
            try await self.query("DELETE FROM episode WHERE id = \(previous)")
        }
        for event in change.events {
            try await self.insertEvent(
                partition: partitionKey,
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
        partition: Int64,
        episodeID: String,
        number: Int,
        kind: String,
        payload: [UInt8],
        messageID: Int64?,
        at: Int64
    ) async throws(StoreError) {
        try await self.query(
            """
            INSERT INTO episode_event (partition_id, episode_id, number, kind, payload, message_id, recorded_at)
            VALUES (\(partition), \(episodeID), \(Int64(number)), \(kind), \(payload.bytea), \(messageID), \(at))
            """
        )
    }
}
