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
        for index in writes.indices {
            try self.write(&writes[index], resources: resources, messageID: messageID, at: at, ledger: ledger)
            // Tandem's own Tasks, held after the message's resources, took arrival numbers too.
            arrival = max(arrival, writes[index].book.arrivals)
        }
        ledger.arrivals.store(arrival, ordering: .relaxed)
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
            var write = ledger.write(evaluating: consume entry, partition: id, at: time)
            try self.write(&write, resources: [], messageID: nil, at: at, ledger: ledger)
            writes.append(write)
        }
        return writes
    }

    /// Evaluates up to `limit` partitions due at or before `time` at `time` (never before their last
    /// evaluation) and writes what fell overdue, with its outbox rows and each one's next due time.
    mutating func fireDueTimers(
        at time: FHIRInstant,
        limit: Int,
        at: Int64,
        ledger: EpisodeLedger
    ) throws(StoreError) -> [PartitionWrite] {
        var writes: [PartitionWrite] = []
        for id in try self.duePartitions(at: Int64((time.secondsSinceEpoch * 1000).rounded(.down)), limit: limit) {
            var entry = try self.partition(id, ledger: ledger)
            try self.lendAll(to: &entry)
            var write = ledger.write(evaluating: consume entry, partition: id, at: time, forwardOnly: true)
            try self.write(&write, resources: [], messageID: nil, at: at, ledger: ledger)
            writes.append(write)
        }
        return writes
    }

    /// Writes one partition's changes (merging what it absorbed), with the hand-off Tasks Tandem writes for
    /// them (``EpisodeLedger/taskWrites(_:)``, held in the write's book), and plans their outbox rows.
    mutating func write(
        _ write: inout PartitionWrite,
        resources: [Element],
        messageID: Int64?,
        at: Int64,
        ledger: EpisodeLedger
    ) throws(StoreError) {
        var tasks: [Element] = []
        // A Task written can make another one unnecessary (cancelled), never the other way: two rounds.
        for _ in 0..<2 {
            let writes = EpisodeLedger.taskWrites(write)
            guard !writes.isEmpty else { break }
            var results: [Result<WriteResult, StoreError>] = []
            for task in writes {
                let result = try self.apply(task, sender: HandoffTaskResources.sender, messageID: messageID, at: at)
                try self.insertAudit(EpisodeLedger.taskAudit(result, messageID: messageID, at: at))
                results.append(.success(result))
            }
            let stored = IngestRules.normalisable(writes, results)
            ledger.follow(&write, with: stored)
            tasks += stored
        }
        try self.mergePartitions(write.absorbed, into: write.id)
        try self.write(write, messageID: messageID, at: at)
        if let planning = ledger.planning {
            try self.planOutbox(
                write.ingestion,
                resources: resources + tasks,
                planning: planning,
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
            var write = ledger.write(
                renormalising: consume entry,
                partition: id,
                keys: keys,
                with: normaliser,
                version: version
            )
            try self.write(&write, resources: [], messageID: nil, at: at, ledger: ledger)
            try self.markTried(keys, version: version)
            writes.append(write)
        }
        return writes
    }
}
