import CoManagement
import FHIRCore
import Synchronization

/// Normalisation on SQLite. A message is normally planned ahead of the writer, on a reader
/// (``plan(_:sender:ledger:)``), and the writer only checks the plan is still current and writes its rows
/// (``apply(_:resources:messageID:at:traceparent:ledger:)``); a message that cannot be planned so, or whose plan
/// another message overtook, is normalised in the writer (``normalise(_:sender:messageID:at:traceparent:ledger:)``).
/// The single writer is what serialises them.
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
        // Blocks of arrival numbers of its own, as the plans made beside the writer take theirs.
        var arrival = ledger.arrivals.wrappingAdd(items.shared.count, ordering: .relaxed).oldValue
        let shared = EpisodeLedger.number(items.shared, after: &arrival)
        let changedShared = try self.writeShared(shared)
        let sharedNames = try self.sharedNames(among: items.linkingNames)
        let named = try self.partitions(named: items.linkingNames.subtracting(sharedNames))
        let components = items.components(partitions: named, shared: sharedNames)
        // Every component normalises the message's shared resources beside its own.
        let numbers = components.reduce(1) { $0 + $1.items.count + shared.count }
        arrival = ledger.arrivals.wrappingAdd(numbers, ordering: .relaxed).oldValue
        var writes: [PartitionWrite] = []
        for component in components {
            let ids = component.partitions.sorted()
            let target: Int64
            if let first = ids.first { target = first } else { target = try self.newPartition() }
            var entry = try self.partition(target, ledger: ledger)
            for other in ids.dropFirst() {
                EpisodeLedger.merge(try self.partition(other, ledger: ledger), into: &entry)
            }
            var lent: [String: Int] = [:]
            writes.append(
                try self.write(
                    component,
                    into: consume entry,
                    partition: target,
                    absorbed: Array(ids.dropFirst()),
                    shared: shared,
                    sender: sender,
                    arrival: &arrival,
                    lent: &lent,
                    ledger: ledger
                )
            )
        }
        // The partitions that refer to a shared resource the message changed, and that it did not reach.
        let reached = Set(writes.flatMap { [$0.id] + $0.absorbed })
        let dependents = try self.partitions(named: changedShared.flatMap { ResourceLinks.linkNames(of: $0).known })
            .values.reduce(into: Set<Int64>()) { $0.formUnion($1) }.subtracting(reached)
        for id in dependents.sorted() {
            var entry = try self.partition(id, ledger: ledger)
            var lent: [String: Int] = [:]
            try self.lendAll(to: &entry, recording: &lent)
            writes.append(ledger.write(dependent: consume entry, partition: id, changed: changedShared))
        }
        // Numbered before the writes: Tandem's own Tasks take their numbers after the message's.
        ledger.numberedArrivals(through: arrival)
        for index in writes.indices {
            try self.write(
                &writes[index],
                resources: resources,
                messageID: messageID,
                at: at,
                traceparent: traceparent,
                ledger: ledger
            )
        }
        return Normalised(writes)
    }

    /// Plans a message's normalisation on this (reading) connection, in one read transaction: its writes
    /// as the writer will hold them if each creates or changes its resource, normalised. Nil when the
    /// message cannot be planned ahead: conditional writes (the writer decides what they match), episode
    /// changes of its own, or what ``plan(_:sender:ledger:)`` leaves to the writer.
    mutating func plan(_ message: IngestMessage, ledger: EpisodeLedger) throws(StoreError) -> NormalisationPlan? {
        guard message.episodes.isEmpty else { return nil }
        try self.execute("BEGIN")
        defer { try? self.execute("COMMIT") }
        var resources: [Element] = []
        for write in message.writes {
            guard let resource = write.resource else { continue }
            let id: String
            switch write.mode {
            case .create(let proposedID, nil): id = proposedID
            case .update(let planned, _): id = planned
            default: return nil
            }
            let current = try self.query(
                """
                SELECT r.version, r.deleted, v.content_hash FROM resource r
                    LEFT JOIN resource_version v ON v.type = r.type AND v.id = r.id AND v.version = r.version
                WHERE r.type = ? AND r.id = ?
                """,
                [.text(write.type), .text(id)]
            ).first
            // The writer keeps a resource sent again unchanged as it is (no new version, nothing to
            // normalise); so does the plan, or every message re-sending its patient would miss it.
            if let current, current.int(1) == 0, current.blob(2) == IngestRules.contentHash(write.content) {
                continue
            }
            resources.append(IngestRules.held(resource, id: id, version: (current?.int(0) ?? 0) + 1))
        }
        return try self.plan(resources, sender: message.received.sender, ledger: ledger)
    }

    /// Plans the normalisation of `resources` (the message's writes as the writer will hold them) from
    /// what this connection reads, writing nothing; the rows come encoded.
    /// Nil for a message that changes shared resources (practitioners, organisations): those change other
    /// partitions too and are normalised in the writer.
    mutating func plan(
        _ resources: [Element],
        sender: String,
        ledger: EpisodeLedger
    ) throws(StoreError)
        -> NormalisationPlan?
    {
        let items = ledger.items(of: resources, sender: sender)
        guard items.shared.isEmpty, !items.items.isEmpty else { return nil }
        let sharedNames = try self.sharedNames(among: items.linkingNames)
        let named = try self.partitions(named: items.linkingNames.subtracting(sharedNames))
        // A block of arrival numbers of its own: plans are made side by side.
        var arrival = ledger.arrivals.wrappingAdd(resources.count + 1, ordering: .relaxed).oldValue
        var versions: [Int64: Int64] = [:]
        var lent: [String: Int] = [:]
        var placeholder: Int64 = 0
        var writes: [PartitionWrite] = []
        for component in items.components(partitions: named, shared: sharedNames) {
            let ids = component.partitions.sorted()
            var entry: PartitionCache.Entry
            let target: Int64
            if let first = ids.first {
                target = first
                entry = try self.partition(first, ledger: ledger, leavingTheCache: true)
                versions[first] = entry.version
                for other in ids.dropFirst() {
                    let absorbed = try self.partition(other, ledger: ledger, leavingTheCache: true)
                    versions[other] = absorbed.version
                    EpisodeLedger.merge(absorbed, into: &entry)
                }
            } else {
                placeholder -= 1
                target = placeholder
                entry = PartitionCache.Entry(version: 0, book: EpisodeBook(), mappings: ledger.mappingsVersion)
            }
            writes.append(
                try self.write(
                    component,
                    into: consume entry,
                    partition: target,
                    absorbed: Array(ids.dropFirst()),
                    shared: [],
                    sender: sender,
                    arrival: &arrival,
                    lent: &lent,
                    ledger: ledger
                )
            )
        }
        var plan = NormalisationPlan(
            resources: resources,
            linkingNames: items.linkingNames,
            partitionsByName: named,
            sharedNames: sharedNames,
            versions: versions,
            lent: lent,
            writes: writes
        )
        try plan.encodeRows()
        return plan
    }

    /// Lends one component's partition the shared resources it refers to (each lent one's arrival into
    /// `lent`) and normalises the component into it.
    private mutating func write(
        _ component: MessageItems.Component,
        into entry: consuming PartitionCache.Entry,
        partition target: Int64,
        absorbed: [Int64],
        shared: [HeldResource],
        sender: String,
        arrival: inout Int,
        lent: inout [String: Int],
        ledger: EpisodeLedger
    ) throws(StoreError) -> PartitionWrite {
        try self.lendAll(to: &entry, recording: &lent)
        try self.lend(
            to: &entry,
            names: component.items.flatMap { $0.names.linking + $0.names.shared },
            recording: &lent
        )
        return ledger.write(
            component,
            into: consume entry,
            partition: target,
            absorbed: absorbed,
            shared: shared,
            sender: sender,
            arrival: &arrival
        )
    }

    /// Whether nothing the plan read has changed since: the partitions its names find, the versions of
    /// the partitions it read, the shared resources it lent them.
    mutating func isCurrent(_ plan: NormalisationPlan) throws(StoreError) -> Bool {
        let sharedNames = try self.sharedNames(among: plan.linkingNames)
        guard sharedNames == plan.sharedNames,
            try self.partitions(named: plan.linkingNames.subtracting(sharedNames)) == plan.partitionsByName,
            try self.partitionVersions(plan.versions.keys) == plan.versions
        else { return false }
        for (key, arrival) in plan.lent {
            let row = try self.query("SELECT arrival FROM shared_resource WHERE key = ?", [.text(key)]).first
            guard row?.integer(0).map(Int.init) == arrival else { return false }
        }
        return true
    }

    /// Writes a current plan: creates its new partitions, then writes every partition's rows and outbox
    /// (each row numbered in its subscription here, in the writer, and carrying `traceparent`).
    mutating func apply(
        _ plan: NormalisationPlan,
        resources: [Element],
        messageID: Int64,
        at: Int64,
        traceparent: String? = nil,
        ledger: EpisodeLedger
    ) throws(StoreError) -> Normalised {
        var writes: [PartitionWrite] = []
        for var write in plan.writes {
            if write.id < 0 { write.id = try self.newPartition() }
            try self.write(
                &write,
                resources: resources,
                messageID: messageID,
                at: at,
                traceparent: traceparent,
                ledger: ledger
            )
            writes.append(write)
        }
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
        // A held resource's key is one of its partition's names, so the names find every partition that
        // holds or refers to it (partition_resource is keyed by partition first).
        let ids = try self.partitions(named: keys).values.reduce(into: Set<Int64>()) { $0.formUnion($1) }
        var writes: [PartitionWrite] = []
        for id in ids.sorted() {
            var entry = try self.partition(id, ledger: ledger)
            try self.lendAll(to: &entry)
            writes.append(ledger.write(withdrawing: consume entry, partition: id, withdrawn: withdrawn))
        }
        for index in writes.indices {
            try self.write(
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
        traceparent: String? = nil,
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
            let arrival = ledger.arrivals.wrappingAdd(stored.count + 1, ordering: .relaxed).oldValue
            ledger.follow(&write, with: stored, after: arrival)
            tasks += stored
        }
        try self.mergePartitions(write.absorbed, into: write.id)
        try self.write(write, messageID: messageID, at: at)
        if let planning = ledger.planning {
            try self.planOutbox(
                write.ingestion,
                resources: resources + tasks,
                planning: planning,
                traceparent: traceparent,
                messageID: messageID,
                at: at
            )
        }
    }

    /// A partition as the cache holds it (when its version is still the database's), else read from its rows.
    /// `leavingTheCache`: copy the cached partition rather than take it out (for a plan that may be dropped).
    mutating func partition(
        _ id: Int64,
        ledger: EpisodeLedger,
        leavingTheCache: Bool = false
    ) throws(StoreError) -> PartitionCache.Entry {
        let version = try self.partitionVersions([id])[id] ?? 0
        let cached =
            leavingTheCache
            ? ledger.cache.peek(id, version: version, mappings: ledger.mappingsVersion)
            : ledger.cache.take(id, version: version, mappings: ledger.mappingsVersion)
        if let cached { return cached }
        return PartitionCache.Entry(
            version: version,
            book: try self.loadPartition(id),
            mappings: ledger.mappingsVersion
        )
    }

    /// Lends the partition the shared resources known by `names` it was not lent yet, and those they
    /// refer to in turn.
    /// The arrival each lent resource was stored with goes into `lent`.
    private mutating func lend(
        to entry: inout PartitionCache.Entry,
        names: [String],
        recording lent: inout [String: Int]
    ) throws(StoreError) {
        let needed = Set(names).subtracting(entry.lent)
        guard !needed.isEmpty else { return }
        for item in try self.sharedResources(named: needed) {
            entry.book.store(item)
            entry.lent.formUnion(ResourceLinks.linkNames(of: item).known)
            lent[item.key] = item.arrival
        }
        entry.lent.formUnion(needed)
    }

    /// Lends a partition read from its rows every shared resource its resources refer to, once.
    mutating func lendAll(to entry: inout PartitionCache.Entry, recording lent: inout [String: Int]) throws(StoreError)
    {
        guard !entry.lentAll else { return }
        try self.lend(to: &entry, names: EpisodeLedger.referencedNames(of: entry.book), recording: &lent)
        entry.lentAll = true
    }

    /// Lends a partition read from its rows every shared resource its resources refer to, once.
    mutating func lendAll(to entry: inout PartitionCache.Entry) throws(StoreError) {
        var lent: [String: Int] = [:]
        try self.lendAll(to: &entry, recording: &lent)
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
