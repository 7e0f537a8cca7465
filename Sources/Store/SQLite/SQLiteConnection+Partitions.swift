import CoManagement
import FHIRCore
import Foundation

/// The partition rows on SQLite (migration 11): finding the partitions a message touches, reading one
/// into a book, writing what a message changed, merging partitions, and the shared resources lent to them.
extension SQLiteConnection {
    /// Linking name → the partitions a resource known by it or referring to it belongs to.
    mutating func partitions(named names: some Sequence<String>) throws(StoreError) -> [String: Set<Int64>] {
        var found: [String: Set<Int64>] = [:]
        for name in Set(names).sorted() {
            for row in try self.query("SELECT partition_id FROM partition_name WHERE name = ?", [.text(name)]) {
                found[name, default: []].insert(row.integer(0) ?? 0)
            }
        }
        return found
    }

    /// The names among `names` that name a held shared resource.
    mutating func sharedNames(among names: some Sequence<String>) throws(StoreError) -> Set<String> {
        var found: Set<String> = []
        for name in Set(names).sorted()
        where try !self.query("SELECT 1 FROM shared_name WHERE name = ? LIMIT 1", [.text(name)]).isEmpty {
            found.insert(name)
        }
        return found
    }

    /// The versions of the partitions; a partition without a row is missing.
    mutating func partitionVersions(_ ids: some Sequence<Int64>) throws(StoreError) -> [Int64: Int64] {
        var versions: [Int64: Int64] = [:]
        for id in Set(ids) {
            if let row = try self.query("SELECT version FROM partition WHERE id = ?", [.integer(id)]).first {
                versions[id] = row.integer(0) ?? 0
            }
        }
        return versions
    }

    /// Up to `limit` partitions due at or before `time` (milliseconds), in due order.
    mutating func duePartitions(at time: Int64, limit: Int) throws(StoreError) -> [Int64] {
        try self.query(
            "SELECT id FROM partition WHERE due_at <= ? ORDER BY due_at, id LIMIT ?",
            [.integer(time), .integer(Int64(limit))]
        ).map { $0.integer(0) ?? 0 }
    }

    /// A new, empty partition's id.
    mutating func newPartition() throws(StoreError) -> Int64 {
        try self.query("INSERT INTO partition (version) VALUES (0)")
        return self.lastInsertedRowID
    }

    /// Reads a partition into a book: its held resources, its live episodes with their timelines, the
    /// time it was evaluated at.
    mutating func loadPartition(_ id: Int64) throws(StoreError) -> EpisodeBook {
        let resources = try self.query(
            "SELECT held FROM partition_resource WHERE partition_id = ?",
            [.integer(id)]
        ).map { row throws(StoreError) in try EpisodeJSON.decode(HeldResource.self, from: row.blob(0)) }
        let live = try self.query(
            "SELECT id, state FROM episode WHERE partition_id = ? AND status != 'retired'",
            [.integer(id)]
        ).map { row in (id: row.text(0) ?? "", state: row.blob(1)) }
        let liveIDs = Set(live.map(\.id))
        var events: [String: [[UInt8]]] = [:]
        for row in try self.query(
            "SELECT episode_id, payload FROM episode_event WHERE partition_id = ? ORDER BY episode_id, number",
            [.integer(id)]
        ) {
            let episodeID = row.text(0) ?? ""
            if liveIDs.contains(episodeID) { events[episodeID, default: []].append(row.blob(1)) }
        }
        let episodes = try live.map { episode throws(StoreError) in
            try EpisodeJSON.episode(state: episode.state, events: events[episode.id] ?? [])
        }
        let evaluated = try self.query("SELECT evaluated_at FROM partition WHERE id = ?", [.integer(id)]).first?.blob(0)
        let evaluatedAt = try evaluated.flatMap { bytes throws(StoreError) in
            bytes.isEmpty ? nil : try EpisodeJSON.decode(FHIRInstant.self, from: bytes)
        }
        return EpisodeBook(resources: resources, episodes: episodes, evaluatedAt: evaluatedAt)
    }

    /// The shared resources known by any of `names`, and those they refer to in turn.
    mutating func sharedResources(named names: some Sequence<String>) throws(StoreError) -> [HeldResource] {
        var found: [String: HeldResource] = [:]
        var looked: Set<String> = []
        var pending = Set(names)
        while !pending.isEmpty {
            looked.formUnion(pending)
            var keys: Set<String> = []
            for name in pending.sorted() {
                for row in try self.query("SELECT key FROM shared_name WHERE name = ?", [.text(name)]) {
                    if let key = row.text(0), found[key] == nil { keys.insert(key) }
                }
            }
            pending = []
            for key in keys.sorted() {
                guard let row = try self.query("SELECT held FROM shared_resource WHERE key = ?", [.text(key)]).first
                else { continue }
                let item = try EpisodeJSON.decode(HeldResource.self, from: row.blob(0))
                found[key] = item
                pending.formUnion(ResourceLinks.linkNames(of: item).shared.filter { !looked.contains($0) })
            }
        }
        return found.keys.sorted().map { found[$0]! }
    }

    /// Writes the shared resources that differ from what is stored; returns those.
    mutating func writeShared(_ items: [HeldResource]) throws(StoreError) -> [HeldResource] {
        var changed: [HeldResource] = []
        for item in items {
            let held = try EpisodeJSON.encode(item)
            let stored = try self.query("SELECT held FROM shared_resource WHERE key = ?", [.text(item.key)]).first
            if let stored, let old = try? EpisodeJSON.decode(HeldResource.self, from: stored.blob(0)),
                old.resource == item.resource, old.sender == item.sender
            {
                continue
            }
            try self.query(
                """
                INSERT INTO shared_resource (key, held, arrival) VALUES (?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET held = excluded.held, arrival = excluded.arrival
                """,
                [.text(item.key), .blob(held), .integer(Int64(item.arrival))]
            )
            for name in ResourceLinks.linkNames(of: item).known {
                try self.query(
                    "INSERT OR IGNORE INTO shared_name (name, key) VALUES (?, ?)",
                    [.text(name), .text(item.key)]
                )
            }
            changed.append(item)
        }
        return changed
    }

    /// Folds `absorbed` partitions into `target`: their resources, names and episodes move, their rows go.
    mutating func mergePartitions(_ absorbed: some Sequence<Int64>, into target: Int64) throws(StoreError) {
        for id in absorbed {
            try self.query(
                "UPDATE partition_resource SET partition_id = ? WHERE partition_id = ?",
                [.integer(target), .integer(id)]
            )
            try self.query(
                "UPDATE OR IGNORE partition_name SET partition_id = ? WHERE partition_id = ?",
                [.integer(target), .integer(id)]
            )
            try self.query("DELETE FROM partition_name WHERE partition_id = ?", [.integer(id)])
            try self.query(
                "UPDATE episode SET partition_id = ? WHERE partition_id = ?",
                [.integer(target), .integer(id)]
            )
            try self.query(
                "UPDATE episode_event SET partition_id = ? WHERE partition_id = ?",
                [.integer(target), .integer(id)]
            )
            try self.query(
                "UPDATE unmatched_referral SET partition_id = ? WHERE partition_id = ?",
                [.integer(target), .integer(id)]
            )
            try self.query("DELETE FROM partition WHERE id = ?", [.integer(id)])
        }
    }

    /// Writes a partition's part of a message: its new and changed held resources with their names, its
    /// episode changes and retired episodes, its evaluation time and its next version.
    /// Rows encoded ahead (``PartitionWrite/rows``) are written as they are; others are encoded here.
    mutating func write(_ write: PartitionWrite, messageID: Int64?, at: Int64) throws(StoreError) {
        let rows: PartitionRows
        if let encoded = write.rows { rows = encoded } else { rows = try PartitionRows(write) }
        // partition_resource is keyed (partition_id, key): a withdrawn resource is this partition's.
        for key in write.removed {
            try self.query(
                "DELETE FROM partition_resource WHERE partition_id = ? AND key = ?",
                [.integer(write.id), .text(key)]
            )
        }
        for item in write.resources {
            try self.query(
                """
                INSERT INTO partition_resource (key, partition_id, held, arrival) VALUES (?, ?, ?, ?)
                ON CONFLICT (partition_id, key) DO UPDATE SET held = excluded.held, arrival = excluded.arrival
                """,
                [
                    .text(item.key), .integer(write.id), .blob(rows.held[item.key] ?? []),
                    .integer(Int64(item.arrival)),
                ]
            )
        }
        for name in write.names {
            try self.query(
                "INSERT OR IGNORE INTO partition_name (name, partition_id) VALUES (?, ?)",
                [.text(name), .integer(write.id)]
            )
        }
        for change in write.ingestion.changes {
            try self.write(change, partition: write.id, messageID: messageID, at: at, rows: rows)
        }
        try self.writeUnmatched(write, rows: rows, at: at)
        for id in write.ingestion.retiredEpisodeIDs {
            try self.query(
                "UPDATE episode SET status = 'retired', updated_at = ? WHERE id = ?",
                [.integer(at), .text(id)]
            )
            try self.replaceMembers(of: id, with: [])
        }
        try self.query(
            "UPDATE partition SET version = ?, evaluated_at = ?, mappings_version = ?, due_at = ? WHERE id = ?",
            [
                .integer(write.version), rows.evaluatedAt.map { .blob($0) } ?? .null, SQLiteValue(write.mappings),
                rows.dueAt.map { .integer($0) } ?? .null, .integer(write.id),
            ]
        )
    }

    /// Keeps `unmatched_referral` in step with a partition's write: referrals an episode now holds leave
    /// it, those still unmatched are (re)recorded with the mappings version they were tried with.
    private mutating func writeUnmatched(_ write: PartitionWrite, rows: PartitionRows, at: Int64) throws(StoreError) {
        for change in write.ingestion.changes {
            for key in change.episode.sources {
                try self.query("DELETE FROM unmatched_referral WHERE key = ?", [.text(key)])
            }
        }
        for referral in write.ingestion.unmatchedReferrals {
            try self.query(
                """
                INSERT INTO unmatched_referral (key, partition_id, resource_type, sender, codes, service_line,
                    mappings_version, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET partition_id = excluded.partition_id, codes = excluded.codes,
                    service_line = excluded.service_line, mappings_version = excluded.mappings_version,
                    recorded_at = excluded.recorded_at
                """,
                [
                    .text(referral.key), .integer(write.id), .text(referral.resourceType),
                    .text(write.book.resources[referral.key]?.sender ?? ""),
                    .blob(rows.codes[referral.key] ?? []),
                    SQLiteValue(referral.serviceLine), SQLiteValue(write.mappings), .integer(at),
                ]
            )
        }
    }
}

/// The mappings the store normalises with, and the referrals they missed, on SQLite.
extension SQLiteConnection {
    /// The mappings version every replica must run, as recorded.
    mutating func recordedMappingsVersion() throws(StoreError) -> String? {
        try self.query("SELECT value FROM store_state WHERE name = 'mappings_version'").first?.text(0)
    }

    /// Records `version` as the mappings version every replica must run; returns whether it changed.
    mutating func recordMappingsVersion(_ version: String, at: Int64) throws(StoreError) -> Bool {
        let previous = try self.recordedMappingsVersion()
        try self.query(
            """
            INSERT INTO store_state (name, value, changed_at) VALUES ('mappings_version', ?, ?)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at
            """,
            [.text(version), .integer(at)]
        )
        // Other mappings may set other deadlines: every partition is due, so the timers derive its next one.
        if previous != version { try self.query("UPDATE partition SET due_at = 0") }
        return previous != version
    }

    /// Up to `limit` partitions with referrals last tried with other mappings than `version`, with their keys:
    /// the first partitions of one such other version (or of none).
    mutating func partitionsToRenormalise(version: String, limit: Int) throws(StoreError) -> [(Int64, [String])] {
        guard let stale = try self.staleMappingsVersion(than: version) else { return [] }
        var keys: [Int64: [String]] = [:]
        for row in try self.query(
            """
            SELECT partition_id, key FROM unmatched_referral
            WHERE partition_id IN (SELECT DISTINCT partition_id FROM unmatched_referral
                WHERE mappings_version IS ?1 ORDER BY mappings_version, partition_id LIMIT ?2)
            """,
            [stale, .integer(Int64(limit))]
        ) {
            keys[row.integer(0) ?? 0, default: []].append(row.text(1) ?? "")
        }
        return keys.keys.sorted().map { ($0, keys[$0]!.sorted()) }
    }

    /// A mappings version other than `version` that an unmatched referral was last tried with (`.null` when
    /// one was tried with none), or nil when every one was tried with `version`. Three probes of
    /// `unmatched_referral_by_version`, each one entry long.
    private mutating func staleMappingsVersion(than version: String) throws(StoreError) -> SQLiteValue? {
        let row = try self.query(
            """
            SELECT 0, NULL WHERE EXISTS (SELECT 1 FROM unmatched_referral WHERE mappings_version IS NULL)
            UNION ALL SELECT 1, * FROM (SELECT mappings_version FROM unmatched_referral
                WHERE mappings_version < ?1 ORDER BY mappings_version LIMIT 1)
            UNION ALL SELECT 2, * FROM (SELECT mappings_version FROM unmatched_referral
                WHERE mappings_version > ?1 ORDER BY mappings_version LIMIT 1)
            """,
            [.text(version)]
        ).first
        return row?.values[1]
    }

    /// Marks the referrals as tried with `version` (those an episode took are gone already).
    mutating func markTried(_ keys: [String], version: String) throws(StoreError) {
        for key in keys {
            try self.query(
                "UPDATE unmatched_referral SET mappings_version = ? WHERE key = ?",
                [.text(version), .text(key)]
            )
        }
    }

    /// Unmatched referrals, the most recently found first.
    mutating func unmatchedReferrals(limit: Int) throws(StoreError) -> [UnmatchedRecord] {
        try self.query(
            """
            SELECT key, resource_type, codes, service_line, sender, mappings_version, recorded_at
            FROM unmatched_referral ORDER BY recorded_at DESC, key LIMIT ?
            """,
            [.integer(Int64(limit))]
        ).map { row throws(StoreError) in
            UnmatchedRecord(
                referral: UnmatchedReferral(
                    key: row.text(0) ?? "",
                    resourceType: row.text(1) ?? "",
                    path: UnmatchedReferral.path(of: row.text(1) ?? ""),
                    codes: try EpisodeJSON.decode([Coding].self, from: row.blob(2)),
                    serviceLine: row.text(3)
                ),
                sender: row.text(4) ?? "",
                mappingsVersion: row.text(5),
                recordedAt: Date(storeMilliseconds: row.integer(6) ?? 0)
            )
        }
    }
}
