import CoManagement
import FHIRCore
import Foundation
import NIOCore
import PostgresNIO

/// The partition rows on PostgreSQL (migration 6), as ``SQLiteConnection``'s partitions on SQLite, with the
/// locks that let replicas normalise different partitions at once and the same partition one at a time.
extension PostgresSession {
    /// Serialises, until the transaction ends, the messages that share a linking name: two messages about
    /// a new patient must not each make a partition for it. The locks are taken in one sorted pass, so
    /// deadlock-free. Then reserves the message's block of arrival numbers (``arrivalBlock()``) and, with
    /// the locks held, finds the names among `names` and `probing` that name a stored shared resource,
    /// ``partitions(named:)`` for `names`, and an id for a new partition when none of `names` names one
    /// (its row is written with the partition's, ``write(_:messageID:at:audits:)``).
    ///
    /// One round trip: PostgreSQL's `tandem_partitions_named` (``PostgresMigration/partitionsNamedUnderLocks``).
    func lockNamesFindingPartitions(
        _ names: Set<String>,
        probing: Set<String>
    ) async throws(StoreError) -> (arrival: Int, shared: Set<String>, partitions: [String: Set<Int64>], fresh: Int64?) {
        var found: (arrival: Int, shared: Set<String>, partitions: [String: Set<Int64>], fresh: Int64?) = (
            0, [], [:], nil
        )
        var bindings = PostgresBindings()
        bindings.append(names.sorted())
        bindings.append(probing.union(names).sorted())
        for row in try await self.query(PartitionsNamedUnderLocks.self, bindings) {
            let (kind, name, value) = try row.columns((String, String, Int64?).self)
            switch (kind, value) {
            case ("a", let arrival?): found.arrival = Int(arrival)
            case ("s", _): found.shared.insert(name)
            case ("p", let id?): found.partitions[name, default: []].insert(id)
            case ("n", let id?): found.fresh = id
            default: throw StoreError(.corrupt, "PostgreSQL returned an unexpected row: \(kind) \(name)")
            }
        }
        return found
    }

    private enum PartitionsNamedUnderLocks: PreparedStatementText {
        static let sql = """
            SELECT found_kind, found_name, found_id FROM tandem_partitions_named($1::text[], $2::text[])
            """
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
        var live: [(id: String, state: [UInt8])] = []
        for row in try await self.query(
            "SELECT id, state FROM episode WHERE partition_id = \(id) AND status != 'retired'"
        ) {
            let (episode, state) = try row.columns((String, ByteBuffer).self)
            live.append((episode, [UInt8](bytea: state)))
        }
        let liveIDs = Set(live.map(\.id))
        var events: [String: [[UInt8]]] = [:]
        for row in try await self.query(
            "SELECT episode_id, payload FROM episode_event WHERE partition_id = \(id) ORDER BY episode_id, number"
        ) {
            let (episode, payload) = try row.columns((String, ByteBuffer).self)
            if liveIDs.contains(episode) { events[episode, default: []].append([UInt8](bytea: payload)) }
        }
        let episodes = try live.map { episode throws(StoreError) in
            try EpisodeJSON.episode(state: episode.state, events: events[episode.id] ?? [])
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
            var bindings = PostgresBindings()
            bindings.append(sorted)
            for row in try await self.query(SharedResourcesNamed.self, bindings) {
                let (key, held) = try row.columns((String, ByteBuffer).self)
                guard found[key] == nil else { continue }
                let item = try EpisodeJSON.decode(HeldResource.self, from: [UInt8](bytea: held))
                found[key] = item
                pending.formUnion(ResourceLinks.linkNames(of: item).shared.filter { !looked.contains($0) })
            }
        }
        return found.keys.sorted().map { found[$0]! }
    }

    private enum SharedResourcesNamed: PreparedStatementText {
        static let sql = """
            SELECT key, held FROM (
                SELECT k.key, (SELECT r.held FROM shared_resource r WHERE r.key = k.key) AS held
                FROM (
                    SELECT DISTINCT s.key FROM unnest($1::text[]) AS n(name)
                        CROSS JOIN LATERAL (SELECT key FROM shared_name WHERE name = n.name OFFSET 0) AS s
                ) AS k
            ) AS found
            WHERE held IS NOT NULL
            """
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
        try await self.query(
            "UPDATE episode_event SET partition_id = \(target) WHERE partition_id = ANY(\(absorbed))"
        )
        try await self.query(
            "UPDATE unmatched_referral SET partition_id = \(target) WHERE partition_id = ANY(\(absorbed))"
        )
        try await self.query("DELETE FROM partition WHERE id = ANY(\(absorbed))")
    }

    /// Writes a partition's part of a message: its new and changed held resources with their names, its
    /// episode changes and retired episodes, its evaluation time and its next version; and numbers the
    /// deliveries of `numbering` (``OutboxNumbering``), answering their numbers by delivery id.
    ///
    /// Besides the episodes' own statements, one statement writes the held resources, the names, the
    /// referrals now matched, the partition's row and the `audits` given, and draws the numbers.
    @discardableResult
    func write(
        _ write: PartitionWrite,
        messageID: Int64?,
        at: Int64,
        audits: [AuditEntry] = [],
        numbering: [ChangeOutboxPlan] = []
    ) async throws(StoreError) -> [String: Int64?] {
        if !write.removed.isEmpty {
            try await self.query(
                "DELETE FROM partition_resource WHERE partition_id = \(write.id) AND key = ANY(\(write.removed))"
            )
        }
        // The last episode change goes into the partition's statement, unless a retirement written after
        // it could touch the same episode.
        var changes = write.ingestion.changes[...]
        let last = changes.last.flatMap { change in
            write.ingestion.retiredEpisodeIDs.isEmpty && Self.writesInOneStatement(change) ? change : nil
        }
        if last != nil { changes = changes.dropLast() }
        for change in changes {
            try await self.write(change, partition: write.id, messageID: messageID, at: at)
        }
        if !write.ingestion.retiredEpisodeIDs.isEmpty {
            let retired = write.ingestion.retiredEpisodeIDs
            try await self.query("UPDATE episode SET status = 'retired', updated_at = \(at) WHERE id = ANY(\(retired))")
            try await self.query("DELETE FROM episode_member WHERE episode_id = ANY(\(retired))")
        }
        // One row per key: an upsert may not touch a row twice.
        var items: [String: HeldResource] = [:]
        for item in write.resources { items[item.key] = item }
        let keys = items.keys.sorted()
        let held = try keys.map { key throws(StoreError) in try EpisodeJSON.encode(items[key]!).bytea }
        let arrivals = keys.map { Int64(items[$0]!.arrival) }
        let matched = Array(Set(write.ingestion.changes.flatMap(\.episode.sources))).sorted()
        let evaluated = try write.book.evaluatedAt.map { value throws(StoreError) in try EpisodeJSON.encode(value).bytea
        }
        var bindings = PostgresBindings()
        if let last { try Self.bind(last, partition: write.id, messageID: messageID, at: at, into: &bindings) }
        bindings.append(write.id)
        bindings.append(keys)
        bindings.append(held)
        bindings.append(arrivals)
        bindings.append(write.names.sorted())
        bindings.append(matched)
        bindings.append(write.version)
        bindings.append(evaluated)
        bindings.append(write.mappings)
        bindings.append(write.dueAt)
        bindings.append(audits.map { $0.at.storeMilliseconds })
        bindings.append(audits.map(\.action))
        bindings.append(audits.map(\.outcome.rawValue))
        bindings.append(NullableArray(audits.map(\.sender)))
        bindings.append(NullableArray(audits.map(\.resourceReference)))
        bindings.append(NullableArray(audits.map(\.messageID)))
        bindings.append(NullableArray(audits.map(\.correlationID)))
        bindings.append(NullableArray(audits.map(\.detail)))
        bindings.append(NullableArray(audits.map(\.role)))
        bindings.append(NullableArray(audits.map(\.patient)))
        bindings.append(NullableArray(audits.map(\.source)))
        OutboxNumbering.bind(numbering, into: &bindings)
        let numbered =
            if last == nil {
                try OutboxNumbering.numbers(try await self.query(PartitionRowsWrite.self, bindings))
            } else {
                try OutboxNumbering.numbers(try await self.query(EpisodeAndPartitionRowsWrite.self, bindings))
            }
        try await self.writeUnmatched(write, at: at)
        return numbered
    }

    /// A partition's held resources (upserted), its new names, its referrals now matched (removed from the
    /// unmatched), its row (made here for a partition new in this transaction) and audit entries
    /// (`$11`…`$21`, one array element per entry, inserted in order); then the deliveries' numbers
    /// (``OutboxNumbering``, `$22` and `$23`).
    private enum PartitionRowsWrite: PreparedStatementText {
        static let parameters = 21

        /// Every part but the partition's row, as common table expressions.
        static let rows = """
            resources AS (
                INSERT INTO partition_resource (key, partition_id, held, arrival)
                SELECT r.key, $1::bigint, r.held, r.arrival
                FROM unnest($2::text[], $3::bytea[], $4::int8[]) AS r(key, held, arrival)
                ON CONFLICT (partition_id, key) DO UPDATE SET held = excluded.held, arrival = excluded.arrival
            ), names AS (
                INSERT INTO partition_name (name, partition_id)
                SELECT n, $1::bigint FROM unnest($5::text[]) AS n ON CONFLICT DO NOTHING
            ), matched AS (
                DELETE FROM unmatched_referral WHERE key = ANY($6::text[]) AND cardinality($6::text[]) > 0
            ), audited AS (
                INSERT INTO audit (at, action, outcome, sender, resource_ref, message_id, correlation_id, detail,
                    agent_role, patient_ref, source_address)
                SELECT at, action, outcome, sender, resource_ref, message_id, correlation_id, detail, agent_role,
                    patient_ref, source_address
                FROM unnest($11::int8[], $12::text[], $13::text[], $14::text[], $15::text[], $16::int8[],
                    $17::text[], $18::text[], $19::text[], $20::text[], $21::text[]) WITH ORDINALITY
                    AS a(at, action, outcome, sender, resource_ref, message_id, correlation_id, detail, agent_role,
                        patient_ref, source_address, position)
                ORDER BY position
            )
            """

        static let partition = """
            INSERT INTO partition (id, version, evaluated_at, mappings_version, due_at)
            VALUES ($1::bigint, $7::bigint, $8::bytea, $9::text, $10::bigint)
            ON CONFLICT (id) DO UPDATE SET version = excluded.version, evaluated_at = excluded.evaluated_at,
                mappings_version = excluded.mappings_version, due_at = excluded.due_at
            """

        /// The statement after the `WITH`, its placeholders following `offset` others.
        static func text(after offset: Int) -> String {
            """
            \(rows.placeholdersShifted(by: offset)), partition_row AS (
            \(partition.placeholdersShifted(by: offset)))
            \(OutboxNumbering.select.placeholdersShifted(by: offset + parameters))
            """
        }

        static let sql = "WITH " + text(after: 0)
    }

    /// ``EpisodeWrite`` and ``PartitionRowsWrite`` in one statement: the episode's bindings first, then the
    /// partition's. No part reads what another writes, so sharing one snapshot changes nothing.
    private enum EpisodeAndPartitionRowsWrite: PreparedStatementText {
        static let sql = """
            WITH \(EpisodeWrite.rows), events AS (
            \(EpisodeWrite.events)), \(PartitionRowsWrite.text(after: EpisodeWrite.parameters))
            """
    }

    /// Records the partition's unmatched referrals, after ``write(_:messageID:at:)`` removed those now
    /// matched (as SQLite's store does).
    private func writeUnmatched(_ write: PartitionWrite, at: Int64) async throws(StoreError) {
        for referral in write.ingestion.unmatchedReferrals {
            try await self.query(
                """
                INSERT INTO unmatched_referral (key, partition_id, resource_type, sender, codes, service_line,
                    mappings_version, recorded_at)
                VALUES (\(referral.key), \(write.id), \(referral.resourceType),
                    \(write.book.resources[referral.key]?.sender ?? ""), \(try EpisodeJSON.encode(referral.codes).bytea),
                    \(referral.serviceLine), \(write.mappings), \(at))
                ON CONFLICT (key) DO UPDATE SET partition_id = excluded.partition_id, codes = excluded.codes,
                    service_line = excluded.service_line, mappings_version = excluded.mappings_version,
                    recorded_at = excluded.recorded_at
                """
            )
        }
    }
}

/// The mappings the store normalises with, and the referrals they missed, on PostgreSQL.
extension PostgresSession {
    /// The mappings version every replica must run, as recorded.
    func recordedMappingsVersion() async throws(StoreError) -> String? {
        let row = try await self.query("SELECT value FROM store_state WHERE name = 'mappings_version'").first
        return try row.map { row throws(StoreError) in try row.columns(String.self) }
    }

    /// Records `version` as the mappings version every replica must run; returns whether it changed.
    func recordMappingsVersion(_ version: String, at: Int64) async throws(StoreError) -> Bool {
        let previous = try await self.query(
            "SELECT value FROM store_state WHERE name = 'mappings_version' FOR UPDATE"
        ).first.map { row throws(StoreError) in try row.columns(String.self) }
        try await self.query(
            """
            INSERT INTO store_state (name, value, changed_at) VALUES ('mappings_version', \(version), \(at))
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at
            """
        )
        // Other mappings may set other deadlines: every partition is due, so the timers derive its next one.
        if previous != version { try await self.query("UPDATE partition SET due_at = 0") }
        return previous != version
    }

    /// Up to `limit` partitions due at or before `time` (milliseconds), locked and with their versions, in
    /// due order; those another replica holds are skipped, so each is evaluated by one replica.
    func claimDuePartitions(at time: Int64, limit: Int) async throws(StoreError) -> [(id: Int64, version: Int64)] {
        var claimed: [(id: Int64, version: Int64)] = []
        for row in try await self.query(
            """
            SELECT id, version FROM partition WHERE due_at <= \(time)
            ORDER BY due_at, id LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED
            """
        ) {
            let (id, version) = try row.columns((Int64, Int64).self)
            claimed.append((id, version))
        }
        return claimed
    }

    /// The id of one partition with referrals last tried with other mappings than `version`, with its keys,
    /// locked (other replicas skip it); nil when none is left.
    func partitionToRenormalise(
        version: String
    ) async throws(StoreError) -> (id: Int64, version: Int64, keys: [String])? {
        // The first partitions of one other version (a few versions at most, probed through
        // unmatched_referral_by_version), so finding the next is a walk of those other replicas hold.
        // (`IS NULL` and `=` are the comparisons an index answers; `IS NOT DISTINCT FROM` is not.)
        guard let stale = try await self.staleMappingsVersion(than: version),
            let row = try await self.query(
                """
                SELECT p.id, p.version FROM partition p
                WHERE p.id IN (SELECT partition_id FROM unmatched_referral
                    WHERE (\(stale.version)::text IS NULL AND mappings_version IS NULL)
                        OR mappings_version = \(stale.version)
                    ORDER BY mappings_version, partition_id LIMIT 256)
                ORDER BY p.id LIMIT 1 FOR UPDATE SKIP LOCKED
                """
            ).first
        else { return nil }
        let (id, partitionVersion) = try row.columns((Int64, Int64).self)
        var keys: [String] = []
        for row in try await self.query("SELECT key FROM unmatched_referral WHERE partition_id = \(id) ORDER BY key") {
            keys.append(try row.columns(String.self))
        }
        return (id, partitionVersion, keys)
    }

    /// Whether a referral was last tried with other mappings than `version`, whether or not its partition
    /// is locked now.
    func hasUnmatchedToRenormalise(version: String?) async throws(StoreError) -> Bool {
        guard let version else { return false }
        return try await self.staleMappingsVersion(than: version) != nil
    }

    /// A mappings version other than `version` that an unmatched referral was last tried with (nil inside
    /// when one was tried with none), or nil when every one was tried with `version`. Three probes of
    /// `unmatched_referral_by_version`, each one entry long.
    private func staleMappingsVersion(than version: String) async throws(StoreError) -> StaleMappings? {
        let row = try await self.query(
            """
            (SELECT 0, NULL::text WHERE EXISTS (SELECT 1 FROM unmatched_referral WHERE mappings_version IS NULL))
            UNION ALL (SELECT 1, mappings_version FROM unmatched_referral
                WHERE mappings_version < \(version) ORDER BY mappings_version LIMIT 1)
            UNION ALL (SELECT 2, mappings_version FROM unmatched_referral
                WHERE mappings_version > \(version) ORDER BY mappings_version LIMIT 1)
            LIMIT 1
            """
        ).first
        return try row.map { row throws(StoreError) in
            let (_, stale) = try row.columns((Int32, String?).self)
            return StaleMappings(version: stale)
        }
    }

    /// Marks the referrals as tried with `version` (those an episode took are gone already).
    func markTried(_ keys: [String], version: String) async throws(StoreError) {
        try await self.query("UPDATE unmatched_referral SET mappings_version = \(version) WHERE key = ANY(\(keys))")
    }

    /// Unmatched referrals, the most recently found first.
    func unmatchedReferrals(limit: Int) async throws(StoreError) -> [UnmatchedRecord] {
        var records: [UnmatchedRecord] = []
        for row in try await self.query(
            """
            SELECT key, resource_type, codes, service_line, sender, mappings_version, recorded_at
            FROM unmatched_referral ORDER BY recorded_at DESC, key LIMIT \(Int64(max(0, limit)))
            """
        ) {
            let (key, type, codes, line, sender, version, at) = try row.columns(
                (String, String, ByteBuffer, String?, String, String?, Int64).self
            )
            records.append(
                UnmatchedRecord(
                    referral: UnmatchedReferral(
                        key: key,
                        resourceType: type,
                        path: UnmatchedReferral.path(of: type),
                        codes: try EpisodeJSON.decode([Coding].self, from: [UInt8](bytea: codes)),
                        serviceLine: line
                    ),
                    sender: sender,
                    mappingsVersion: version,
                    recordedAt: Date(storeMilliseconds: at)
                )
            )
        }
        return records
    }
}

/// A mappings version unmatched referrals were last tried with, other than the current one: nil when they
/// were tried with none.
private struct StaleMappings {
    var version: String?
}
