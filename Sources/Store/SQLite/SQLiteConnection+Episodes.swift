import CoManagement
import Foundation

extension SQLiteConnection {
    /// Makes `references` the resources the episode holds: the episode row's `members` and `owners`, and
    /// the `episode_member` rows that change. Call it after the episode's row is written.
    mutating func replaceMembers(of episodeID: String, with references: [String]) throws(StoreError) {
        let row = try self.query("SELECT members FROM episode WHERE id = ?", [.text(episodeID)]).first
        let held = EpisodeMembers(row?.text(0) ?? "")
        let wanted = EpisodeMembers(references)
        guard held != wanted else { return }
        for reference in held.references.subtracting(wanted.references).sorted() {
            try self.query(
                "DELETE FROM episode_member WHERE reference = ? AND episode_id = ?",
                [.text(reference), .text(episodeID)]
            )
        }
        for reference in wanted.references.subtracting(held.references).sorted() {
            try self.query(
                "INSERT OR IGNORE INTO episode_member (reference, episode_id) VALUES (?, ?)",
                [.text(reference), .text(episodeID)]
            )
        }
        var owners: Set<String> = []
        for reference in wanted.references {
            guard let name = ResourceName(reference: reference) else { continue }
            let owner = try self.query(
                "SELECT owner FROM resource WHERE type = ? AND id = ?",
                [.text(name.type), .text(name.id)]
            ).first?.text(0)
            if let owner, !owner.isEmpty { owners.insert(owner) }
        }
        try self.query(
            "UPDATE episode SET members = ?, owners = ? WHERE id = ?",
            [.text(wanted.text), .text(EpisodeMembers.ownerList(owners)), .text(episodeID)]
        )
    }

    /// Writes one episode change: the episode's row (its state, without the timeline) in place and the
    /// change's new timeline events, appended. A re-keyed episode keeps its timeline: its events move to
    /// the new id, the old row goes. A timeline event number the episode already has fails with
    /// ``StoreError/Code/duplicate``.
    mutating func write(
        _ change: Ingestion.EpisodeChange,
        partition: Int64?,
        messageID: Int64?,
        at: Int64,
        rows: PartitionRows? = nil
    ) throws(StoreError) {
        let episode = change.episode
        let state: [UInt8]
        if let encoded = rows?.states[change.episodeID] {
            state = encoded
        } else {
            state = try EpisodeJSON.state(of: episode)
        }
        let measure: [UInt8]
        if let encoded = rows?.measures[change.episodeID] {
            measure = encoded
        } else {
            measure = try EpisodeJSON.measureFacts(of: episode)
        }
        var payloads: [[UInt8]]
        if let encoded = rows?.events[change.episodeID] {
            payloads = encoded
        } else {
            payloads = []
            for event in change.events { payloads.append(try EpisodeJSON.encode(event)) }
        }
        try self.query(
            """
            INSERT INTO episode (id, partition_id, patient_key, service_line, status, state, updated_at, measure)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET partition_id = excluded.partition_id, patient_key = excluded.patient_key,
                service_line = excluded.service_line, status = excluded.status, state = excluded.state,
                updated_at = excluded.updated_at, measure = excluded.measure
            """,
            [
                .text(change.episodeID), partition.map { .integer($0) } ?? .null, .text(episode.patient.key),
                .text(episode.serviceLine), .text(episode.status.rawValue), .blob(state), .integer(at), .blob(measure),
            ]
        )
        try self.replaceMembers(of: change.episodeID, with: episode.memberReferences)
        let partitionKey = partition ?? 0
        if let previous = change.previousEpisodeID, previous != change.episodeID {
            try self.query(
                "UPDATE episode_event SET episode_id = ? WHERE partition_id = ? AND episode_id = ?",
                [.text(change.episodeID), .integer(partitionKey), .text(previous)]
            )
            try self.replaceMembers(of: previous, with: [])
            try self.query("DELETE FROM episode WHERE id = ?", [.text(previous)])
        }
        for (event, payload) in zip(change.events, payloads) {
            try self.query(
                """
                INSERT INTO episode_event (partition_id, episode_id, number, kind, payload, message_id, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(partitionKey), .text(change.episodeID), .integer(Int64(event.number)),
                    .text(event.kind.rawValue), .blob(payload), messageID.map { .integer($0) } ?? .null, .integer(at),
                ]
            )
        }
    }

    /// Episodes matching `query`, most recently changed first; retired episodes are never listed.
    mutating func episodes(_ query: EpisodeQuery) throws(StoreError) -> [EpisodeRecord] {
        if let after = query.afterID {
            return try self.query(
                """
                SELECT id, patient_key, service_line, status, state, updated_at, partition_id FROM episode
                WHERE status != 'retired' AND id > ? AND (?2 IS NULL OR service_line = ?2) ORDER BY id LIMIT ?3
                """,
                [.text(after), SQLiteValue(query.serviceLine), .integer(Int64(max(0, query.limit)))]
            ).map { row throws(StoreError) in try self.episodeRecord(row) }
        }
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
            conditions.append("instr(owners, ',' || ? || ',') > 0")
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
            SELECT id, patient_key, service_line, status, state, updated_at, partition_id FROM episode
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY updated_at DESC, id LIMIT ?
            """,
            bindings
        ).map { row throws(StoreError) in try self.episodeRecord(row) }
    }

    /// The live episodes holding the resource `reference` (`Type/id`).
    mutating func episodes(holding reference: String) throws(StoreError) -> [EpisodeRecord] {
        try self.query(
            """
            SELECT e.id, e.patient_key, e.service_line, e.status, e.state, e.updated_at, e.partition_id
            FROM episode_member m JOIN episode e ON e.id = m.episode_id
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
            SELECT id, patient_key, service_line, status, state, updated_at, partition_id FROM episode
            WHERE id = ? AND status != 'retired'
            """,
            [.text(id)]
        ).first.map { row throws(StoreError) in try self.episodeRecord(row) }
    }

    /// An episode row as a record: its document is the stored state with the timeline read back.
    private mutating func episodeRecord(_ row: SQLiteRow) throws(StoreError) -> EpisodeRecord {
        let id = row.text(0) ?? ""
        let events = try self.timelinePayloads(partition: row.integer(6) ?? 0, episodeID: id)
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
