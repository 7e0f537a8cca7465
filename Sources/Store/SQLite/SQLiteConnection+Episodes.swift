import CoManagement
import Foundation

extension SQLiteConnection {
    /// Makes `references` the resources the episode holds, writing only the rows that change.
    mutating func replaceMembers(of episodeID: String, with references: [String]) throws(StoreError) {
        let held = Set(
            try self.query("SELECT reference FROM episode_member WHERE episode_id = ?", [.text(episodeID)])
                .compactMap { $0.text(0) }
        )
        let wanted = Set(references)
        for reference in held.subtracting(wanted).sorted() {
            try self.query(
                "DELETE FROM episode_member WHERE episode_id = ? AND reference = ?",
                [.text(episodeID), .text(reference)]
            )
        }
        for reference in wanted.subtracting(held).sorted() {
            try self.query(
                """
                INSERT INTO episode_member (episode_id, reference, owner) VALUES (?1, ?2, (
                    SELECT owner FROM resource
                    WHERE type = substr(?2, 1, instr(?2, '/') - 1) AND id = substr(?2, instr(?2, '/') + 1)))
                """,
                [.text(episodeID), .text(reference)]
            )
        }
    }

    /// Writes one episode change: the episode's row (its state, without the timeline) in place and the
    /// change's new timeline events, appended. A re-keyed episode keeps its timeline: its events move to
    /// the new id, the old row goes. A timeline event number the episode already has fails with
    /// ``StoreError/Code/duplicate``.
    mutating func write(
        _ change: Ingestion.EpisodeChange,
        partition: Int64?,
        messageID: Int64?,
        at: Int64
    ) throws(StoreError) {
        let episode = change.episode
        try self.query(
            """
            INSERT INTO episode (id, partition_id, patient_key, service_line, status, state, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET partition_id = excluded.partition_id, patient_key = excluded.patient_key,
                service_line = excluded.service_line, status = excluded.status, state = excluded.state,
                updated_at = excluded.updated_at
            """,
            [
                .text(change.episodeID), partition.map { .integer($0) } ?? .null, .text(episode.patient.key),
                .text(episode.serviceLine), .text(episode.status.rawValue), .blob(try EpisodeJSON.state(of: episode)),
                .integer(at),
            ]
        )
        try self.replaceMembers(of: change.episodeID, with: episode.memberReferences)
        if let previous = change.previousEpisodeID, previous != change.episodeID {
            try self.query(
                "UPDATE episode_event SET episode_id = ? WHERE episode_id = ?",
                [.text(change.episodeID), .text(previous)]
            )
            try self.query("DELETE FROM episode WHERE id = ?", [.text(previous)])
            try self.replaceMembers(of: previous, with: [])
        }
        for event in change.events {
            try self.query(
                """
                INSERT INTO episode_event (episode_id, number, kind, payload, message_id, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(change.episodeID), .integer(Int64(event.number)), .text(event.kind.rawValue),
                    .blob(try EpisodeJSON.encode(event)), messageID.map { .integer($0) } ?? .null, .integer(at),
                ]
            )
        }
    }

    /// Episodes matching `query`, most recently changed first; retired episodes are never listed.
    mutating func episodes(_ query: EpisodeQuery) throws(StoreError) -> [EpisodeRecord] {
        var conditions = ["status != 'retired'"]
        var bindings: [SQLiteValue] = []
        for (column, value) in [
            ("patient_key", query.patientKey), ("service_line", query.serviceLine), ("status", query.status),
        ] {
            guard let value else { continue }
            conditions.append("\(column) = ?")
            bindings.append(.text(value))
        }
        if let sender = query.sender {
            conditions.append("id IN (SELECT episode_id FROM episode_member WHERE owner = ?)")
            bindings.append(.text(sender))
        }
        if let partner = query.partner {
            conditions.append(
                """
                EXISTS (SELECT 1 FROM outbox o WHERE o.episode_id = episode.id
                    AND (o.partner = ? OR o.partner IN (SELECT s.id FROM subscription s WHERE s.owner = ?)))
                """
            )
            bindings += [.text(partner), .text(partner)]
        }
        bindings.append(.integer(Int64(query.limit)))
        return try self.query(
            """
            SELECT id, patient_key, service_line, status, state, updated_at FROM episode
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY updated_at DESC, id LIMIT ?
            """,
            bindings
        ).map { row throws(StoreError) in try self.episodeRecord(row) }
    }

    /// The live episodes holding the resource `reference` (`Type/id`).
    mutating func episodes(holding reference: String) throws(StoreError) -> [EpisodeRecord] {
        try self.query(
            """
            SELECT e.id, e.patient_key, e.service_line, e.status, e.state, e.updated_at FROM episode_member m
                JOIN episode e ON e.id = m.episode_id
            WHERE m.reference = ? AND e.status != 'retired' ORDER BY e.id
            """,
            [.text(reference)]
        ).map { row throws(StoreError) in try self.episodeRecord(row) }
    }

    /// Of `episodeIDs`, those with an outbox row for `partner` or one of its subscriptions.
    mutating func episodes(_ episodeIDs: [String], routedTo partner: String) throws(StoreError) -> Set<String> {
        var routed: Set<String> = []
        for id in Set(episodeIDs)
        where try !self.query(
            """
            SELECT 1 FROM outbox WHERE episode_id = ?1
                AND (partner = ?2 OR partner IN (SELECT s.id FROM subscription s WHERE s.owner = ?2)) LIMIT 1
            """,
            [.text(id), .text(partner)]
        ).isEmpty {
            routed.insert(id)
        }
        return routed
    }

    /// One episode by id, or nil (also for a retired one).
    mutating func episode(id: String) throws(StoreError) -> EpisodeRecord? {
        try self.query(
            """
            SELECT id, patient_key, service_line, status, state, updated_at FROM episode
            WHERE id = ? AND status != 'retired'
            """,
            [.text(id)]
        ).first.map { row throws(StoreError) in try self.episodeRecord(row) }
    }

    /// An episode row as a record: its document is the stored state with the timeline read back.
    private mutating func episodeRecord(_ row: SQLiteRow) throws(StoreError) -> EpisodeRecord {
        let id = row.text(0) ?? ""
        let events = try self.query(
            "SELECT payload FROM episode_event WHERE episode_id = ? ORDER BY number",
            [.text(id)]
        ).map { $0.blob(0) }
        return EpisodeRecord(
            id: id,
            patientKey: row.text(1) ?? "",
            serviceLine: row.text(2) ?? "",
            status: row.text(3) ?? "",
            document: try EpisodeJSON.encode(try EpisodeJSON.episode(state: row.blob(4), events: events)),
            updatedAt: Date(storeMilliseconds: row.integer(5) ?? 0)
        )
    }
}
