import CoManagement
import FHIRCore
import Synchronization

/// What a store process needs to normalise messages into partitions: the normaliser, the outbox planning
/// run in the same transaction, the partitions kept in memory, and (on SQLite) the arrival numbers it hands
/// out.
///
/// The co-management state lives in the database, one partition per group of related resources
/// (``PartitionWrite``); nothing is loaded at start. A message finds the partitions its resources link to
/// by name, takes them from the cache when the cached version is still the database's, else reads them,
/// normalises against them (merging those it joins) and writes back only what changed. Each backend
/// serialises the messages of one partition: SQLite has one writer; PostgreSQL locks the partitions' rows
/// in id order inside the transaction (``PostgresStore``).
final class EpisodeLedger: Sendable {
    let planning: (any OutboxPlanning)?
    let cache: PartitionCache
    /// The highest arrival number handed out by this process; SQLite's writer starts it from the
    /// database's highest (``SQLiteStore``). PostgreSQL numbers arrivals with a sequence instead.
    let arrivals = Atomic<Int>(0)
    /// Messages written from a plan made ahead of the writer, and plans dropped because another message
    /// overtook them (SQLite).
    private let plans = Atomic<Int>(0)
    private let droppedPlans = Atomic<Int>(0)

    func countPlan(written: Bool) {
        if written {
            self.plans.wrappingAdd(1, ordering: .relaxed)
        } else {
            self.droppedPlans.wrappingAdd(1, ordering: .relaxed)
        }
    }

    /// How many plans were written, and how many dropped, so far.
    var planCounts: (written: Int, dropped: Int) {
        (self.plans.load(ordering: .relaxed), self.droppedPlans.load(ordering: .relaxed))
    }
    /// The normaliser over the current mappings, and the mappings' version (nil until a caller names it).
    private let mappings: Mutex<(normaliser: Normaliser, version: String?)>

    init(normaliser: Normaliser, planning: (any OutboxPlanning)? = nil, cacheCapacity: Int = 4096) {
        self.mappings = Mutex((normaliser, nil))
        self.planning = planning
        self.cache = PartitionCache(capacity: cacheCapacity)
    }

    /// The normaliser over the current mappings.
    var normaliser: Normaliser { self.mappings.withLock { $0.normaliser } }

    /// The normaliser and its mappings' version, read together: a write derives with one and records the
    /// other, so a switch of mappings between the two cannot mislabel what it found unmatched.
    var current: (normaliser: Normaliser, version: String?) { self.mappings.withLock { $0 } }

    /// The version of the current mappings, as the caller named it.
    var mappingsVersion: String? { self.mappings.withLock { $0.version } }

    /// Normalises with other mappings from now on: the partitions in memory were derived with the old ones,
    /// so they are forgotten and read again when next needed.
    func use(_ normaliser: Normaliser, version: String) {
        self.mappings.withLock { $0 = (normaliser, version) }
        self.cache.clear()
    }

    /// Records that arrivals are numbered up to `arrival`: the counter only moves forward, whatever
    /// blocks plans made ahead of the writer took meanwhile.
    func numberedArrivals(through arrival: Int) {
        var current = self.arrivals.load(ordering: .relaxed)
        while arrival > current {
            let (exchanged, original) = self.arrivals.compareExchange(
                expected: current,
                desired: arrival,
                ordering: .relaxed
            )
            if exchanged { return }
            current = original
        }
    }

    /// The written resources as the normaliser will hold them, for finding their partitions by name.
    func items(of resources: [Element], sender: String) -> MessageItems {
        MessageItems(
            resources.map { resource in
                HeldResource(
                    key: HeldResource.key(for: resource, fullUrl: nil),
                    fullUrl: nil,
                    sender: sender,
                    resource: resource,
                    arrival: 0
                )
            }
        )
    }

    /// The message's shared resources numbered from the arrival after `arrival`; returns the last number.
    static func number(_ shared: [MessageItems.Item], after arrival: inout Int) -> [HeldResource] {
        shared.map { entry in
            var held = entry.held
            arrival += 1
            held.arrival = arrival
            return held
        }
    }

    /// Joins the partitions a component reaches into the first one (`absorbed` into `entry`).
    static func merge(_ absorbed: PartitionCache.Entry, into entry: inout PartitionCache.Entry) {
        entry.book.merge(absorbed.book)
        entry.lent.formUnion(absorbed.lent)
        entry.lentAll = entry.lentAll && absorbed.lentAll
    }

    /// Normalises one component of a message into its partition (`entry`, lent what it refers to): the
    /// component's resources and the message's shared ones, several written resources at once.
    func write(
        _ component: MessageItems.Component,
        into entry: consuming PartitionCache.Entry,
        partition: Int64,
        absorbed: [Int64],
        shared: [HeldResource],
        sender: String,
        arrival: inout Int
    ) -> PartitionWrite {
        let (normaliser, version) = self.current
        var book = entry.takeBook()
        book.continueArrivals(after: arrival)
        let resources = component.items.map(\.held.resource) + shared.map(\.resource)
        let input = resources.count == 1 ? resources[0] : Self.collection(resources)
        let ingestion = normaliser.ingest(input, sender: sender, into: &book)
        arrival = max(arrival, book.arrivals)
        let written = ingestion.storedKeys.compactMap { key -> HeldResource? in
            guard let item = book.resources[key], !ResourceLinks.isShared(item.resource.type) else { return nil }
            return item
        }
        return PartitionWrite(
            id: partition,
            version: entry.version + 1,
            absorbed: absorbed,
            resources: written,
            names: Array(Set(component.items.flatMap { $0.names.linking + $0.names.shared })),
            ingestion: ingestion,
            book: book,
            lent: entry.lent,
            mappings: version
        )
    }

    /// Derives a partition that refers to shared resources another message changed, with them.
    func write(
        dependent entry: consuming PartitionCache.Entry,
        partition: Int64,
        changed: [HeldResource]
    ) -> PartitionWrite {
        let (normaliser, version) = self.current
        var book = entry.takeBook()
        for item in changed { book.store(item) }
        let ingestion = normaliser.refresh(&book, after: changed.map(\.key))
        return self.rederived(entry, partition: partition, ingestion: ingestion, book: book, mappings: version)
    }

    /// Derives a partition again after the mappings changed: the unmatched referrals `keys` may now open or
    /// join an episode.
    func write(
        renormalising entry: consuming PartitionCache.Entry,
        partition: Int64,
        keys: [String],
        with normaliser: Normaliser,
        version: String
    ) -> PartitionWrite {
        var book = entry.takeBook()
        book.forgetDerivations()
        let ingestion = normaliser.refresh(&book, after: keys)
        return self.rederived(entry, partition: partition, ingestion: ingestion, book: book, mappings: version)
    }

    /// Derives a partition again without resources their senders deleted (``CoManagement/Normaliser/withdraw(_:from:)``).
    func write(
        withdrawing entry: consuming PartitionCache.Entry,
        partition: Int64,
        withdrawn: [String: String]
    ) -> PartitionWrite {
        let (normaliser, version) = self.current
        var book = entry.takeBook()
        let ingestion = normaliser.withdraw(withdrawn, from: &book)
        var write = self.rederived(entry, partition: partition, ingestion: ingestion, book: book, mappings: version)
        write.removed = withdrawn.keys.sorted()
        return write
    }

    /// Evaluates a partition's due dates at `time`; with `forwardOnly` (the timers), never at a time before
    /// the one it was last evaluated at, so a clock that went back flags nothing twice.
    func write(
        evaluating entry: consuming PartitionCache.Entry,
        partition: Int64,
        at time: FHIRInstant,
        forwardOnly: Bool = false
    ) -> PartitionWrite {
        let (normaliser, version) = self.current
        var book = entry.takeBook()
        let when = forwardOnly ? max(time, book.evaluatedAt ?? time) : time
        let ingestion = normaliser.reevaluate(at: when, book: &book)
        return self.rederived(entry, partition: partition, ingestion: ingestion, book: book, mappings: version)
    }

    /// A write of a partition derived again without new resources of its own (or its unmatched referrals
    /// derived again with new mappings).
    func rederived(
        _ entry: PartitionCache.Entry,
        partition: Int64,
        ingestion: Ingestion,
        book: EpisodeBook,
        mappings version: String?
    ) -> PartitionWrite {
        PartitionWrite(
            id: partition,
            version: entry.version + 1,
            resources: [],
            names: [],
            ingestion: ingestion,
            book: book,
            lent: entry.lent,
            mappings: version
        )
    }

    /// The names to look up among the shared resources for a partition read from its rows: every name
    /// its resources refer to.
    static func referencedNames(of book: EpisodeBook) -> [String] {
        book.resources.values.flatMap { item in
            let names = ResourceLinks.linkNames(of: item)
            return names.linking + names.shared
        }
    }

    /// Several written resources as one `collection` Bundle, so the normaliser derives once.
    static func collection(_ resources: [Element]) -> Element {
        Element(
            name: "Bundle",
            type: "Bundle",
            children: [Element(name: "type", type: "code", value: "collection")]
                + resources.map { resource in
                    var entry = resource
                    entry.name = "resource"
                    return Element(name: "entry", type: "Bundle.Entry", children: [entry])
                }
        )
    }
}
