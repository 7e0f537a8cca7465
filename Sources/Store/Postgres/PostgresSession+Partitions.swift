import CoManagement
import FHIRCore
import Foundation
import NIOCore
import PostgresNIO

/// The partition rows on PostgreSQL (migration 6), as ``SQLiteConnection``'s partitions on SQLite, with the
/// locks that let replicas normalise different partitions at once and the same partition one at a time.
extension PostgresSession {
    /// Serialises, until the transaction ends, the messages that share a linking name: two messages about
    /// a new patient must not each make a partition for it. Taken in one sorted pass, so deadlock-free.
    func lockNames(_ names: some Sequence<String>) async throws(StoreError) {
        let sorted = Set(names).sorted()
        guard !sorted.isEmpty else { return }
        try await self.query(
            """
            SELECT pg_advisory_xact_lock(h) FROM (
                SELECT DISTINCT hashtextextended('partition-name|' || n, 0) AS h FROM unnest(\(sorted)::text[]) AS n
            ) AS names ORDER BY h
            """
        )
    }

    /// Locks the partitions' rows, in id order, until the transaction ends, and returns their versions; a
    /// partition another transaction merged away meanwhile is missing from the answer.
    func lockPartitions(_ ids: some Sequence<Int64>) async throws(StoreError) -> [Int64: Int64] {
        let sorted = Set(ids).sorted()
        guard !sorted.isEmpty else { return [:] }
        var versions: [Int64: Int64] = [:]
        for row in try await self.query(
            "SELECT id, version FROM partition WHERE id = ANY(\(sorted)) ORDER BY id FOR UPDATE"
        ) {
            let (id, version) = try row.columns((Int64, Int64).self)
            versions[id] = version
        }
        return versions
    }

    /// Linking name → the partitions a resource known by it or referring to it belongs to.
    func partitions(named names: some Sequence<String>) async throws(StoreError) -> [String: Set<Int64>] {
        let sorted = Set(names).sorted()
        guard !sorted.isEmpty else { return [:] }
        var found: [String: Set<Int64>] = [:]
        for row in try await self.query(
            "SELECT name, partition_id FROM partition_name WHERE name = ANY(\(sorted))"
        ) {
            let (name, id) = try row.columns((String, Int64).self)
            found[name, default: []].insert(id)
        }
        return found
    }

    /// The names among `names` that name a held shared resource.
    func sharedNames(among names: some Sequence<String>) async throws(StoreError) -> Set<String> {
        let sorted = Set(names).sorted()
        guard !sorted.isEmpty else { return [] }
        var found: Set<String> = []
        for row in try await self.query("SELECT DISTINCT name FROM shared_name WHERE name = ANY(\(sorted))") {
            found.insert(try row.columns(String.self))
        }
        return found
    }

    /// A new, empty partition's id.
    func newPartition() async throws(StoreError) -> Int64 {
        let row = try await self.query("INSERT INTO partition (version) VALUES (0) RETURNING id").first
        guard let id = try row?.columns(Int64.self) else { throw StoreError(.io, "no partition id was returned") }
        return id
    }

    /// The first of a block of 1,024 arrival numbers for this message.
    func arrivalBlock() async throws(StoreError) -> Int {
        let row = try await self.query("SELECT nextval('held_arrival')").first
        let value: Int64 = try row?.columns(Int64.self) ?? 0
        return Int(value)
    }

    /// Reads a partition into a book: its held resources, its live episodes with their timelines, the
    /// time it was evaluated at.
    func loadPartition(_ id: Int64) async throws(StoreError) -> EpisodeBook {
        var resources: [HeldResource] = []
        for row in try await self.query("SELECT held FROM partition_resource WHERE partition_id = \(id)") {
            resources.append(
                try EpisodeJSON.decode(HeldResource.self, from: [UInt8](bytea: try row.columns(ByteBuffer.self)))
            )
        }
        var events: [String: [[UInt8]]] = [:]
        for row in try await self.query(
            """
            SELECT v.episode_id, v.payload FROM episode e JOIN episode_event v ON v.episode_id = e.id
            WHERE e.partition_id = \(id) AND e.status != 'retired' ORDER BY v.episode_id, v.number
            """
        ) {
            let (episode, payload) = try row.columns((String, ByteBuffer).self)
            events[episode, default: []].append([UInt8](bytea: payload))
        }
        var episodes: [Episode] = []
        for row in try await self.query(
            "SELECT id, state FROM episode WHERE partition_id = \(id) AND status != 'retired'"
        ) {
            let (episode, state) = try row.columns((String, ByteBuffer).self)
            episodes.append(try EpisodeJSON.episode(state: [UInt8](bytea: state), events: events[episode] ?? []))
        }
        let row = try await self.query("SELECT evaluated_at FROM partition WHERE id = \(id)").first
        let evaluated: ByteBuffer? = try row.flatMap { row throws(StoreError) in try row.columns(ByteBuffer?.self) }
        let evaluatedAt = try evaluated.flatMap { bytes throws(StoreError) in
            try EpisodeJSON.decode(FHIRInstant.self, from: [UInt8](bytea: bytes))
        }
        return EpisodeBook(resources: resources, episodes: episodes, evaluatedAt: evaluatedAt)
    }

    /// The shared resources known by any of `names`, and those they refer to in turn.
    func sharedResources(named names: some Sequence<String>) async throws(StoreError) -> [HeldResource] {
        var found: [String: HeldResource] = [:]
        var looked: Set<String> = []
        var pending = Set(names)
        while !pending.isEmpty {
            looked.formUnion(pending)
            let sorted = pending.sorted()
            pending = []
            for row in try await self.query(
                """
                SELECT r.key, r.held FROM shared_resource r
                WHERE r.key IN (SELECT key FROM shared_name WHERE name = ANY(\(sorted)))
                """
            ) {
                let (key, held) = try row.columns((String, ByteBuffer).self)
                guard found[key] == nil else { continue }
                let item = try EpisodeJSON.decode(HeldResource.self, from: [UInt8](bytea: held))
                found[key] = item
                pending.formUnion(ResourceLinks.linkNames(of: item).shared.filter { !looked.contains($0) })
            }
        }
        return found.keys.sorted().map { found[$0]! }
    }

    /// Writes the shared resources that differ from what is stored; returns those.
    func writeShared(_ items: [HeldResource]) async throws(StoreError) -> [HeldResource] {
        var changed: [HeldResource] = []
        for item in items {
            let stored = try await self.query("SELECT held FROM shared_resource WHERE key = \(item.key) FOR UPDATE")
                .first.map { row throws(StoreError) in [UInt8](bytea: try row.columns(ByteBuffer.self)) }
            if let stored, let old = try? EpisodeJSON.decode(HeldResource.self, from: stored),
                old.resource == item.resource, old.sender == item.sender
            {
                continue
            }
            try await self.query(
                """
                INSERT INTO shared_resource (key, held, arrival)
                VALUES (\(item.key), \(try EpisodeJSON.encode(item).bytea), \(Int64(item.arrival)))
                ON CONFLICT (key) DO UPDATE SET held = excluded.held, arrival = excluded.arrival
                """
            )
            let names = ResourceLinks.linkNames(of: item).known
            try await self.query(
                """
                INSERT INTO shared_name (name, key) SELECT n, \(item.key) FROM unnest(\(names)::text[]) AS n
                ON CONFLICT DO NOTHING
                """
            )
            changed.append(item)
        }
        return changed
    }

    /// Folds `absorbed` partitions into `target`: their resources, names and episodes move, their rows go.
    func mergePartitions(_ absorbed: [Int64], into target: Int64) async throws(StoreError) {
        guard !absorbed.isEmpty else { return }
        try await self.query(
            "UPDATE partition_resource SET partition_id = \(target) WHERE partition_id = ANY(\(absorbed))"
        )
        try await self.query(
            """
            INSERT INTO partition_name (name, partition_id)
            SELECT name, \(target) FROM partition_name WHERE partition_id = ANY(\(absorbed))
            ON CONFLICT DO NOTHING
            """
        )
        try await self.query("DELETE FROM partition_name WHERE partition_id = ANY(\(absorbed))")
        try await self.query("UPDATE episode SET partition_id = \(target) WHERE partition_id = ANY(\(absorbed))")
        try await self.query("DELETE FROM partition WHERE id = ANY(\(absorbed))")
    }

    /// Writes a partition's part of a message: its new and changed held resources with their names, its
    /// episode changes and retired episodes, its evaluation time and its next version.
    func write(_ write: PartitionWrite, messageID: Int64?, at: Int64) async throws(StoreError) {
        for item in write.resources {
            try await self.query(
                """
                INSERT INTO partition_resource (key, partition_id, held, arrival)
                VALUES (\(item.key), \(write.id), \(try EpisodeJSON.encode(item).bytea), \(Int64(item.arrival)))
                ON CONFLICT (key) DO UPDATE SET partition_id = excluded.partition_id, held = excluded.held,
                    arrival = excluded.arrival
                """
            )
        }
        if !write.names.isEmpty {
            try await self.query(
                """
                INSERT INTO partition_name (name, partition_id)
                SELECT n, \(write.id) FROM unnest(\(write.names.sorted())::text[]) AS n ON CONFLICT DO NOTHING
                """
            )
        }
        for change in write.ingestion.changes {
            try await self.write(change, partition: write.id, messageID: messageID, at: at)
        }
        if !write.ingestion.retiredEpisodeIDs.isEmpty {
            let retired = write.ingestion.retiredEpisodeIDs
            try await self.query("UPDATE episode SET status = 'retired', updated_at = \(at) WHERE id = ANY(\(retired))")
            try await self.query("DELETE FROM episode_member WHERE episode_id = ANY(\(retired))")
        }
        let evaluated = try write.book.evaluatedAt.map { value throws(StoreError) in try EpisodeJSON.encode(value).bytea
        }
        try await self.query(
            "UPDATE partition SET version = \(write.version), evaluated_at = \(evaluated) WHERE id = \(write.id)"
        )
    }
}
