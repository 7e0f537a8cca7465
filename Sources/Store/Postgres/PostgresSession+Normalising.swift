import CoManagement
import FHIRCore
import PostgresNIO

/// Normalisation on PostgreSQL, inside the message's transaction: the message's linking names are locked
/// (so two messages about a new patient do not both make a partition for it), then the partitions it
/// touches, in id order, and only those. Messages about other patients go on at the same time, on this
/// replica and on the others.
extension PostgresSession {

    /// Normalises the written resources into their partitions, writes the changes, plans the outbox rows.
    ///
    /// With `audits`, the message's audit entries (which name the normalisation's warnings, so they are
    /// known only once the partitions are derived) go into the statement that writes the first
    /// partition's rows, and the result is ``Normalised/audited``.
    func normalise(
        _ resources: [Element],
        sender: String,
        messageID: Int64,
        at: Int64,
        traceparent: String? = nil,
        ledger: EpisodeLedger,
        audits: ((Normalised) -> [AuditEntry])? = nil
    ) async throws(StoreError) -> Normalised {
        let items = ledger.items(of: resources, sender: sender)
        // Every name the message's resources are known by or refer to, probed for shared resources once:
        // the lending below reads only names that turned out shared.
        let lendable = items.referencedNames
        let found = try await self.lockNamesFindingPartitions(Set(items.linkingNames), probing: lendable)
        var arrival = found.arrival
        let shared = EpisodeLedger.number(items.shared, after: &arrival)
        let changedShared = try await self.writeShared(shared)
        // The names the message's own shared resources are known by were stored after the probe.
        let probedShared = found.shared.union(
            Set(shared.flatMap { ResourceLinks.linkNames(of: $0).known }).intersection(
                lendable.union(items.linkingNames)
            )
        )
        let firstNamed = found.partitions.filter { !probedShared.contains($0.key) }
        var freshPartition = found.fresh
        let sharedNames = probedShared.intersection(items.linkingNames)
        let notShared = lendable.union(items.linkingNames).subtracting(probedShared)
        var lookedUp: [String: Set<Int64>]? = firstNamed
        let changedNames = changedShared.flatMap { ResourceLinks.linkNames(of: $0).known }
        var components: [MessageItems.Component]
        var dependents: Set<Int64>
        var versions: [Int64: Int64]
        // A partition merged into another by a transaction this one waited for is gone: look again.
        repeat {
            let named: [String: Set<Int64>]
            if let first = lookedUp {
                named = first
                lookedUp = nil
            } else {
                named = try await self.partitions(named: items.linkingNames.subtracting(sharedNames))
            }
            components = items.components(partitions: named, shared: sharedNames)
            let reached = Set(components.flatMap(\.partitions))
            dependents = try await self.partitions(named: changedNames).values
                .reduce(into: Set<Int64>()) { $0.formUnion($1) }.subtracting(reached)
            versions = try await self.lockPartitions(reached.union(dependents))
        } while versions.count < Set(components.flatMap(\.partitions)).union(dependents).count

        var writes: [PartitionWrite] = []
        for component in components {
            let ids = component.partitions.sorted()
            let target: Int64
            var entry: PartitionCache.Entry
            if let first = ids.first {
                target = first
                entry = try await self.partition(first, version: versions[first] ?? 0, ledger: ledger)
            } else {
                // Made in this transaction: it has no rows to read yet.
                if let fresh = freshPartition {
                    target = fresh
                    freshPartition = nil
                } else {
                    target = try await self.newPartition()
                }
                entry = PartitionCache.Entry(version: 0, book: EpisodeBook(), mappings: ledger.mappingsVersion)
            }
            for other in ids.dropFirst() {
                EpisodeLedger.merge(
                    try await self.partition(other, version: versions[other] ?? 0, ledger: ledger),
                    into: &entry
                )
            }
            try await self.lendAll(to: &entry)
            try await self.lend(
                to: &entry,
                names: component.items.flatMap { $0.names.linking + $0.names.shared },
                knownNotShared: notShared
            )
            writes.append(
                ledger.write(
                    component,
                    into: consume entry,
                    partition: target,
                    absorbed: Array(ids.dropFirst()),
                    shared: shared,
                    sender: sender,
                    arrival: &arrival
                )
            )
        }
        for id in dependents.sorted() {
            var entry = try await self.partition(id, version: versions[id] ?? 0, ledger: ledger)
            try await self.lendAll(to: &entry)
            writes.append(ledger.write(dependent: consume entry, partition: id, changed: changedShared))
        }
        let entries = writes.isEmpty ? [] : audits?(Normalised(writes)) ?? []
        for index in writes.indices {
            try await self.write(
                &writes[index],
                resources: resources,
                messageID: messageID,
                at: at,
                traceparent: traceparent,
                ledger: ledger,
                audits: index == 0 ? entries : []
            )
        }
        var normalised = Normalised(writes)
        normalised.audited = !entries.isEmpty
        return normalised
    }

    /// Takes resources their senders deleted out of every partition that holds or refers to them (locked
    /// in id order), derives those partitions again (each holding episode records the withdrawal) and
    /// writes what changed, with its outbox rows, as SQLite's store does
    /// (``SQLiteConnection/withdraw(_:messageID:at:traceparent:ledger:)``).
    func withdraw(
        _ withdrawn: [String: String],
        messageID: Int64,
        at: Int64,
        traceparent: String?,
        ledger: EpisodeLedger
    ) async throws(StoreError) -> Normalised {
        let keys = withdrawn.keys.sorted()
        let shared = keys.filter { ResourceLinks.isShared(String($0.prefix { $0 != "/" })) }
        if !shared.isEmpty {
            try await self.query("DELETE FROM shared_name WHERE key = ANY(\(shared))")
            try await self.query("DELETE FROM shared_resource WHERE key = ANY(\(shared))")
        }
        // A held resource's key is one of its partition's names, so the names find every partition that
        // holds or refers to it (partition_resource is keyed by partition first).
        let ids = try await self.partitions(named: keys).values.reduce(into: Set<Int64>()) { $0.formUnion($1) }
        let versions = try await self.lockPartitions(ids)
        var writes: [PartitionWrite] = []
        for id in ids.sorted() {
            guard let version = versions[id] else { continue }
            var entry = try await self.partition(id, version: version, ledger: ledger)
            try await self.lendAll(to: &entry)
            writes.append(ledger.write(withdrawing: consume entry, partition: id, withdrawn: withdrawn))
        }
        for index in writes.indices {
            try await self.write(
                &writes[index],
                resources: [],
                messageID: messageID,
                at: at,
                traceparent: traceparent,
                ledger: ledger
            )
        }
        return Normalised(writes)
    }

    /// Evaluates the due dates of every partition at `time`, one partition at a time, locking each, and
    /// writes what fell overdue with its outbox rows.
    func evaluate(at time: FHIRInstant, at: Int64, ledger: EpisodeLedger) async throws(StoreError) -> [PartitionWrite] {
        var writes: [PartitionWrite] = []
        var ids: [Int64] = []
        for row in try await self.query("SELECT id FROM partition ORDER BY id") {
            ids.append(try row.columns(Int64.self))
        }
        for id in ids {
            guard let version = try await self.lockPartitions([id])[id] else { continue }
            var entry = try await self.partition(id, version: version, ledger: ledger)
            try await self.lendAll(to: &entry)
            var write = ledger.write(evaluating: consume entry, partition: id, at: time)
            try await self.write(&write, resources: [], messageID: nil, at: at, ledger: ledger)
            writes.append(write)
        }
        return writes
    }

    /// Evaluates up to `limit` partitions due at or before `time`, claimed with `FOR UPDATE SKIP LOCKED`,
    /// at `time` (never before their last evaluation), and writes what fell overdue with its outbox rows
    /// and each one's next due time.
    func fireDueTimers(
        at time: FHIRInstant,
        limit: Int,
        at: Int64,
        ledger: EpisodeLedger
    ) async throws(StoreError) -> [PartitionWrite] {
        var writes: [PartitionWrite] = []
        let due = Int64((time.secondsSinceEpoch * 1000).rounded(.down))
        for (id, version) in try await self.claimDuePartitions(at: due, limit: limit) {
            var entry = try await self.partition(id, version: version, ledger: ledger)
            try await self.lendAll(to: &entry)
            var write = ledger.write(evaluating: consume entry, partition: id, at: time, forwardOnly: true)
            try await self.write(&write, resources: [], messageID: nil, at: at, ledger: ledger)
            writes.append(write)
        }
        return writes
    }

    /// Writes one partition's changes (merging what it absorbed), with the hand-off Tasks Tandem writes for
    /// them (``EpisodeLedger/taskWrites(_:)``, held in the write's book), and plans their outbox rows.
    func write(
        _ write: inout PartitionWrite,
        resources: [Element],
        messageID: Int64?,
        at: Int64,
        traceparent: String? = nil,
        ledger: EpisodeLedger,
        audits: [AuditEntry] = []
    ) async throws(StoreError) {
        var tasks: [Element] = []
        // A Task written can make another one unnecessary (cancelled), never the other way: two rounds.
        for _ in 0..<2 {
            let writes = EpisodeLedger.taskWrites(write)
            guard !writes.isEmpty else { break }
            var results: [Result<WriteResult, StoreError>] = []
            for task in writes {
                let result = try await self.apply(
                    task,
                    sender: HandoffTaskResources.sender,
                    messageID: messageID,
                    at: at
                )
                try await self.insertAudit(EpisodeLedger.taskAudit(result, messageID: messageID, at: at))
                results.append(.success(result))
            }
            let stored = IngestRules.normalisable(writes, results)
            ledger.follow(&write, with: stored, after: try await self.arrivalBlock())
            tasks += stored
        }
        try await self.mergePartitions(write.absorbed, into: write.id)
        guard let planning = ledger.planning else {
            try await self.write(write, messageID: messageID, at: at, audits: audits)
            return
        }
        let plans = Self.planOutbox(
            write.ingestion,
            resources: resources + tasks,
            planning: planning,
            traceparent: traceparent,
            at: at
        )
        let numbered = try await self.write(write, messageID: messageID, at: at, audits: audits, numbering: plans)
        write.plannedDeliveries = try await self.insertOutbox(
            plans,
            numbered: numbered,
            planning: planning,
            traceparent: traceparent,
            messageID: messageID,
            at: at
        )
    }

    /// A locked partition at `version` from the cache, else read from its rows.
    private func partition(
        _ id: Int64,
        version: Int64,
        ledger: EpisodeLedger
    ) async throws(StoreError)
        -> PartitionCache.Entry
    {
        if let cached = ledger.cache.take(id, version: version, mappings: ledger.mappingsVersion) { return cached }
        return PartitionCache.Entry(
            version: version,
            book: try await self.loadPartition(id),
            mappings: ledger.mappingsVersion
        )
    }

    /// Lends the partition the shared resources known by `names` it was not lent yet, and those they
    /// refer to in turn; names in `knownNotShared` were just found to name none.
    private func lend(
        to entry: inout PartitionCache.Entry,
        names: [String],
        knownNotShared: Set<String> = []
    ) async throws(StoreError) {
        let needed = Set(names).subtracting(entry.lent)
        guard !needed.isEmpty else { return }
        guard !needed.isSubset(of: knownNotShared) else {
            entry.lent.formUnion(needed)
            return
        }
        for item in try await self.sharedResources(named: needed) {
            entry.book.store(item)
            entry.lent.formUnion(ResourceLinks.linkNames(of: item).known)
        }
        entry.lent.formUnion(needed)
    }

    /// Lends a partition read from its rows every shared resource its resources refer to, once.
    func lendAll(to entry: inout PartitionCache.Entry) async throws(StoreError) {
        guard !entry.lentAll else { return }
        try await self.lend(to: &entry, names: EpisodeLedger.referencedNames(of: entry.book))
        entry.lentAll = true
    }
}

extension PostgresSession {
    /// Derives again one partition whose unmatched referrals were last tried with other mappings than the
    /// ledger's (locked, so replicas share the work), with its new episodes, events and outbox rows.
    func renormaliseUnmatched(at: Int64, ledger: EpisodeLedger) async throws(StoreError) -> PartitionWrite? {
        let (normaliser, current) = ledger.current
        guard let version = current,
            let (id, partitionVersion, keys) = try await self.partitionToRenormalise(version: version)
        else { return nil }
        var entry = try await self.partition(id, version: partitionVersion, ledger: ledger)
        try await self.lendAll(to: &entry)
        var write = ledger.write(
            renormalising: consume entry,
            partition: id,
            keys: keys,
            with: normaliser,
            version: version
        )
        try await self.write(&write, resources: [], messageID: nil, at: at, ledger: ledger)
        try await self.markTried(keys, version: version)
        return write
    }
}
