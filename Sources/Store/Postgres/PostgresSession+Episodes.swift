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
    ///
    /// One statement, which compares the members with those the row held and finds their owners itself. A
    /// re-keyed episode takes the longer way of ``replaceMembers(of:with:)``.
    func write(
        _ change: Ingestion.EpisodeChange,
        partition: Int64?,
        messageID: Int64?,
        at: Int64
    ) async throws(StoreError) {
        if !Self.writesInOneStatement(change), let previous = change.previousEpisodeID {
            try await self.writeRekeyed(change, from: previous, partition: partition, messageID: messageID, at: at)
            return
        }
        var bindings = PostgresBindings()
        try Self.bind(change, partition: partition, messageID: messageID, at: at, into: &bindings)
        try await self.query(EpisodeWrite.self, bindings)
    }

    /// Whether ``write(_:partition:messageID:at:)`` writes `change` with ``EpisodeWrite``'s one statement
    /// (a re-keyed episode takes several).
    static func writesInOneStatement(_ change: Ingestion.EpisodeChange) -> Bool {
        change.previousEpisodeID == nil || change.previousEpisodeID == change.episodeID
    }

    /// Appends ``EpisodeWrite``'s bindings for `change` (``EpisodeWrite/parameters`` of them).
    static func bind(
        _ change: Ingestion.EpisodeChange,
        partition: Int64?,
        messageID: Int64?,
        at: Int64,
        into bindings: inout PostgresBindings
    ) throws(StoreError) {
        let episode = change.episode
        let wanted = EpisodeMembers(episode.memberReferences)
        let names = wanted.references.compactMap(ResourceName.init(reference:))
        let events = try change.events.map { event throws(StoreError) in
            (Int64(event.number), event.kind.rawValue, try EpisodeJSON.encode(event).bytea)
        }
        bindings.append(change.episodeID)
        bindings.append(partition)
        bindings.append(episode.patient.key)
        bindings.append(episode.serviceLine)
        bindings.append(episode.status.rawValue)
        bindings.append(try EpisodeJSON.state(of: episode).bytea)
        bindings.append(at)
        bindings.append(wanted.text)
        bindings.append(wanted.references.sorted())
        bindings.append(names.map(\.type))
        bindings.append(names.map(\.id))
        bindings.append(partition ?? 0)
        bindings.append(messageID)
        bindings.append(events.map(\.0))
        bindings.append(events.map(\.1))
        bindings.append(events.map(\.2))
        bindings.append(try EpisodeJSON.measureFacts(of: episode).bytea)
    }

    /// An episode's row in place with its members (`$8`, one per line, and `$9`) and the senders owning
    /// them (`,a,b,`, from the `Type/id` pairs `$10`, `$11`; shared resources own none), the member rows
    /// that changed against those the row held, and its new timeline events.
    enum EpisodeWrite: PreparedStatementText {
        /// How many bindings ``PostgresSession/bind(_:partition:messageID:at:into:)`` appends.
        static let parameters = 17

        /// Every part but the events' insert, as common table expressions.
        static let rows = """
            held AS (
                SELECT coalesce(
                    (SELECT string_to_array(members, E'\\n') FROM episode WHERE id = $1::text), '{}'
                ) AS members
            ), owners AS (
                SELECT coalesce(',' || string_agg(DISTINCT owner, ',' ORDER BY owner) || ',', '') AS list
                FROM (
                    SELECT (SELECT r.owner FROM resource r WHERE r.type = n.type AND r.id = n.id) AS owner
                    FROM unnest($10::text[], $11::text[]) AS n(type, id)
                ) AS members
                WHERE owner != ''
            ), written AS (
                INSERT INTO episode (id, partition_id, patient_key, service_line, status, state, updated_at, members,
                    owners, measure)
                SELECT $1::text, $2::bigint, $3::text, $4::text, $5::text, $6::bytea, $7::bigint, $8::text, list,
                    $17::bytea
                FROM owners
                ON CONFLICT (id) DO UPDATE SET partition_id = excluded.partition_id,
                    patient_key = excluded.patient_key, service_line = excluded.service_line,
                    status = excluded.status, state = excluded.state, updated_at = excluded.updated_at,
                    members = excluded.members, owners = excluded.owners, measure = excluded.measure
            ), gone AS (
                SELECT array_agg(l.reference) AS members FROM held, unnest(held.members) AS l(reference)
                WHERE NOT l.reference = ANY($9::text[])
            ), left_members AS (
                DELETE FROM episode_member
                WHERE episode_id = $1::text AND reference = ANY((SELECT members FROM gone)::text[])
                    AND (SELECT members FROM gone) IS NOT NULL
            ), new_members AS (
                INSERT INTO episode_member (reference, episode_id)
                SELECT n, $1::text FROM unnest($9::text[]) AS n, held
                WHERE NOT n = ANY(held.members)
                ON CONFLICT DO NOTHING
            )
            """

        static let events = """
            INSERT INTO episode_event (partition_id, episode_id, number, kind, payload, message_id, recorded_at)
            SELECT $12::bigint, $1::text, e.number, e.kind, e.payload, $13::bigint, $7::bigint
            FROM unnest($14::int8[], $15::text[], $16::bytea[]) AS e(number, kind, payload)
            """

        static let sql = "WITH \(rows)\n\(events)"
    }

    /// ``write(_:partition:messageID:at:)`` for an episode whose id changed: its events move to the new id
    /// and the old row goes.
    private func writeRekeyed(
        _ change: Ingestion.EpisodeChange,
        from previous: String,
        partition: Int64?,
        messageID: Int64?,
        at: Int64
    ) async throws(StoreError) {
        let episode = change.episode
        try await self.query(
            """
            INSERT INTO episode (id, partition_id, patient_key, service_line, status, state, updated_at, measure)
            VALUES (\(change.episodeID), \(partition), \(episode.patient.key), \(episode.serviceLine),
                \(episode.status.rawValue), \(try EpisodeJSON.state(of: episode).bytea), \(at),
                \(try EpisodeJSON.measureFacts(of: episode).bytea))
            ON CONFLICT (id) DO UPDATE SET partition_id = excluded.partition_id, patient_key = excluded.patient_key,
                service_line = excluded.service_line, status = excluded.status, state = excluded.state,
                updated_at = excluded.updated_at, measure = excluded.measure
            """
        )
        try await self.replaceMembers(of: change.episodeID, with: episode.memberReferences)
        let partitionKey = partition ?? 0
        try await self.query(
            """
            UPDATE episode_event SET episode_id = \(change.episodeID)
            WHERE partition_id = \(partitionKey) AND episode_id = \(previous)
            """
        )
        try await self.replaceMembers(of: previous, with: [])
        try await self.query("DELETE FROM episode WHERE id = \(previous)")
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
