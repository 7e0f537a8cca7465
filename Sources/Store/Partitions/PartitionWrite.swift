import CoManagement

/// What normalising one message (or one evaluation) did to one partition, ready to be written: the
/// partition's next version, the held resources and names to write, the episode changes, and the book
/// that the cache keeps once everything is committed.
struct PartitionWrite: Sendable {
    var id: Int64
    /// The version the partition has once this is written.
    var version: Int64
    /// Other partitions the message joined to this one; their rows move into it.
    var absorbed: [Int64] = []
    /// New and changed patient-scoped resources (shared ones are written apart, to the shared tables).
    var resources: [HeldResource]
    /// Keys of resources their senders deleted: the partition no longer holds them.
    var removed: [String] = []
    /// Names the new resources link by or refer to.
    var names: [String]
    var ingestion: Ingestion
    var book: EpisodeBook
    /// The names already looked up among the shared resources for this partition, all of them.
    var lent: Set<String>
    /// The version of the mappings the book was derived with.
    var mappings: String?
    /// The rows, when they were encoded ahead of the writer (``NormalisationPlan``).
    var rows: PartitionRows? = nil
    /// Whether the write planned outbox rows (PostgreSQL: the forwarders are woken once it commits).
    var plannedDeliveries = false

    /// When the partition's timers are next due, in milliseconds since 1970 (``CoManagement/EpisodeBook/nextDue``);
    /// nil when nothing is pending.
    var dueAt: Int64? {
        self.book.nextDue.map { Int64(($0.secondsSinceEpoch * 1000).rounded(.up)) }
    }

    /// The cache entry this write leaves behind.
    var cacheEntry: PartitionCache.Entry {
        PartitionCache.Entry(
            version: self.version,
            book: self.book,
            lent: self.lent,
            lentAll: true,
            mappings: self.mappings
        )
    }
}
