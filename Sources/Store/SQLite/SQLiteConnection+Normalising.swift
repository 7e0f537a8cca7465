import CoManagement
import FHIRCore
import Synchronization

/// Normalisation on SQLite, in the writer: each message finds its partitions, normalises against them and
/// writes what changed, inside its savepoint. The single writer is what serialises it.
extension SQLiteConnection {

    /// Normalises the written resources into their partitions, writes the changes, plans the outbox rows.
    mutating func normalise(
        _ resources: [Element],
        sender: String,
        messageID: Int64,
        at: Int64,
        traceparent: String? = nil,
        ledger: EpisodeLedger
    ) throws(StoreError) -> Normalised {
        let items = ledger.items(of: resources, sender: sender)
        var arrival = ledger.arrivals.load(ordering: .relaxed)
        let shared = EpisodeLedger.number(items.shared, after: &arrival)
        let changedShared = try self.writeShared(shared)
        let sharedNames = try self.sharedNames(among: items.linkingNames)
        let named = try self.partitions(named: items.linkingNames.subtracting(sharedNames))
        var writes: [PartitionWrite] = []
        for component in items.components(partitions: named, shared: sharedNames) {
            let ids = component.partitions.sorted()
            let target: Int64
            if let first = ids.first { target = first } else { target = try self.newPartition() }
            var entry = try self.partition(target, ledger: ledger)
            for other in ids.dropFirst() {
                EpisodeLedger.merge(try self.partition(other, ledger: ledger), into: &entry)
            }
            try self.lendAll(to: &entry)
            try self.lend(to: &entry, names: component.items.flatMap { $0.names.linking + $0.names.shared })
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
        // The partitions that refer to a shared resource the message changed, and that it did not reach.
        let reached = Set(writes.flatMap { [$0.id] + $0.absorbed })
        let dependents = try self.partitions(named: changedShared.flatMap { ResourceLinks.linkNames(of: $0).known })
            .values.reduce(into: Set<Int64>()) { $0.formUnion($1) }.subtracting(reached)
        for id in dependents.sorted() {
            var entry = try self.partition(id, ledger: ledger)
            try self.lendAll(to: &entry)
            writes.append(ledger.write(dependent: consume entry, partition: id, changed: changedShared))
        }
        for write in writes {
            try self.write(
                write,
                resources: resources,
                messageID: messageID,
                at: at,
                traceparent: traceparent,
                ledger: ledger
            )
        }
        ledger.arrivals.store(arrival, ordering: .relaxed)
        return Normalised(writes)
    }

    /// Takes resources their senders deleted out of every partition that holds or refers to them, derives
    /// those partitions again (each holding episode records the withdrawal) and writes what changed, with
    /// its outbox rows. `withdrawn`: each deleted key with the versioned reference of its deletion.
    mutating func withdraw(
        _ withdrawn: [String: String],
        messageID: Int64,
        at: Int64,
        traceparent: String?,
        ledger: EpisodeLedger
    ) throws(StoreError) -> Normalised {
        let keys = withdrawn.keys.sorted()
        for key in keys where ResourceLinks.isShared(String(key.prefix { $0 != "/" })) {
            try self.query("DELETE FROM shared_name WHERE key = ?", [.text(key)])
            try self.query("DELETE FROM shared_resource WHERE key = ?", [.text(key)])
        }
        var ids = try self.partitions(named: keys).values.reduce(into: Set<Int64>()) { $0.formUnion($1) }
        for key in keys {
            for row in try self.query("SELECT partition_id FROM partition_resource WHERE key = ?", [.text(key)]) {
                ids.insert(row.integer(0) ?? 0)
            }
        }
        var writes: [PartitionWrite] = []
        for id in ids.sorted() {
            var entry = try self.partition(id, ledger: ledger)
            try self.lendAll(to: &entry)
            writes.append(ledger.write(withdrawing: consume entry, partition: id, withdrawn: withdrawn))
        }
        for write in writes {
            try self.write(write, resources: [], messageID: messageID, at: at, traceparent: traceparent, ledger: ledger)
        }
        return Normalised(writes)
    }

    /// Evaluates every partition's due dates at `time` and writes what fell overdue, with its outbox rows.
    mutating func evaluate(
        at time: FHIRInstant,
        at: Int64,
        ledger: EpisodeLedger
    ) throws(StoreError) -> [PartitionWrite] {
        var writes: [PartitionWrite] = []
        for row in try self.query("SELECT id FROM partition ORDER BY id") {
            let id = row.integer(0) ?? 0
            var entry = try self.partition(id, ledger: ledger)
            try self.lendAll(to: &entry)
            let write = ledger.write(evaluating: consume entry, partition: id, at: time)
            try self.write(write, resources: [], messageID: nil, at: at, ledger: ledger)
            writes.append(write)
        }
        return writes
    }

    /// Writes one partition's changes (merging what it absorbed) and plans their outbox rows.
    mutating func write(
        _ write: PartitionWrite,
        resources: [Element],
        messageID: Int64?,
        at: Int64,
        traceparent: String? = nil,
        ledger: EpisodeLedger
    ) throws(StoreError) {
        try self.mergePartitions(write.absorbed, into: write.id)
        try self.write(write, messageID: messageID, at: at)
        if let planning = ledger.planning {
            try self.planOutbox(
                write.ingestion,
                resources: resources,
                planning: planning,
                traceparent: traceparent,
                messageID: messageID,
                at: at
            )
        }
    }

    /// A partition as the cache holds it (when its version is still the database's), else read from its rows.
    mutating func partition(_ id: Int64, ledger: EpisodeLedger) throws(StoreError) -> PartitionCache.Entry {
        let version = try self.partitionVersions([id])[id] ?? 0
        if let cached = ledger.cache.take(id, version: version, mappings: ledger.mappingsVersion) { return cached }
        return PartitionCache.Entry(
            version: version,
            book: try self.loadPartition(id),
            mappings: ledger.mappingsVersion
        )
    }

    /// Lends the partition the shared resources known by `names` it was not lent yet, and those they
    /// refer to in turn.
    private mutating func lend(to entry: inout PartitionCache.Entry, names: [String]) throws(StoreError) {
        let needed = Set(names).subtracting(entry.lent)
        guard !needed.isEmpty else { return }
        for item in try self.sharedResources(named: needed) {
            entry.book.store(item)
            entry.lent.formUnion(ResourceLinks.linkNames(of: item).known)
        }
        entry.lent.formUnion(needed)
    }

    /// Lends a partition read from its rows every shared resource its resources refer to, once.
    mutating func lendAll(to entry: inout PartitionCache.Entry) throws(StoreError) {
        guard !entry.lentAll else { return }
        try self.lend(to: &entry, names: EpisodeLedger.referencedNames(of: entry.book))
        entry.lentAll = true
    }
}

extension SQLiteConnection {
    /// Derives again up to `limit` partitions whose unmatched referrals were last tried with other mappings
    /// than the ledger's, with their new episodes, timeline events and outbox rows; returns those writes.
    mutating func renormaliseUnmatched(
        limit: Int,
        at: Int64,
        ledger: EpisodeLedger
    ) throws(StoreError)
        -> [PartitionWrite]
    {
        let (normaliser, current) = ledger.current
        guard let version = current else { return [] }
        var writes: [PartitionWrite] = []
        for (id, keys) in try self.partitionsToRenormalise(version: version, limit: limit) {
            var entry = try self.partition(id, ledger: ledger)
            try self.lendAll(to: &entry)
            let write = ledger.write(
                renormalising: consume entry,
                partition: id,
                keys: keys,
                with: normaliser,
                version: version
            )
            try self.write(write, resources: [], messageID: nil, at: at, ledger: ledger)
            try self.markTried(keys, version: version)
            writes.append(write)
        }
        return writes
    }
}
