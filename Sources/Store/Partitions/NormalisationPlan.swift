import CoManagement
import FHIRCore

/// What normalising one message will write, worked out from what the store held when the plan was made:
/// the partitions it writes (a new partition under a negative placeholder id until the writer creates
/// it) with their rows already encoded, and everything the plan read that another message could change.
///
/// On SQLite a message is planned before it reaches the single writer, on a reader, while other messages
/// are written; the writer checks that nothing the plan read has changed (``isCurrent``) and then only
/// writes its rows. A plan that is not current is dropped and the message normalised in the writer.
struct NormalisationPlan: Sendable {
    /// The resources normalised: the message's writes as the writer will hold them (id and version).
    var resources: [Element]
    /// The names the message's resources link by.
    var linkingNames: Set<String>
    /// The partitions found for each of them (those naming no shared resource).
    var partitionsByName: [String: Set<Int64>]
    /// The linking names that name a shared resource.
    var sharedNames: Set<String>
    /// Each existing partition the plan read, with the version it read.
    var versions: [Int64: Int64]
    /// The shared resources lent to the partitions, with the arrival each was stored with.
    var lent: [String: Int]
    var writes: [PartitionWrite]

    /// Encodes every write's rows: done where the plan is made, so that the writer only writes them.
    mutating func encodeRows() throws(StoreError) {
        for index in self.writes.indices {
            self.writes[index].rows = try PartitionRows(self.writes[index])
        }
    }
}

/// A partition write's rows as they are stored: held resources, episode states and events, the codes of
/// unmatched referrals.
struct PartitionRows: Sendable {
    var held: [String: [UInt8]] = [:]
    /// Episode id → its state without the timeline.
    var states: [String: [UInt8]] = [:]
    /// Episode id → its new events' payloads, in the change's order.
    var events: [String: [[UInt8]]] = [:]
    /// Episode id → its measure facts.
    var measures: [String: [UInt8]] = [:]
    /// Referral key → its codes.
    var codes: [String: [UInt8]] = [:]
    var evaluatedAt: [UInt8]?
    /// The partition's next due time (``PartitionWrite/dueAt``).
    var dueAt: Int64?

    init(_ write: PartitionWrite) throws(StoreError) {
        for item in write.resources { self.held[item.key] = try EpisodeJSON.encode(item) }
        for change in write.ingestion.changes {
            self.states[change.episodeID] = try EpisodeJSON.state(of: change.episode)
            self.measures[change.episodeID] = try EpisodeJSON.measureFacts(of: change.episode)
            self.events[change.episodeID] = try change.events.map { event throws(StoreError) in
                try EpisodeJSON.encode(event)
            }
        }
        for referral in write.ingestion.unmatchedReferrals {
            self.codes[referral.key] = try EpisodeJSON.encode(referral.codes)
        }
        self.evaluatedAt = try write.book.evaluatedAt.map { value throws(StoreError) in try EpisodeJSON.encode(value) }
        self.dueAt = write.dueAt
    }
}
