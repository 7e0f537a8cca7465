public import FHIRCore

/// What the normaliser knows: every resource received so far (latest content per key) and the
/// episodes derived from them, with their timelines.
///
/// A value: the caller (the store) loads it, passes it `inout` to ``Normaliser/ingest(_:sender:into:)``
/// and persists it in the same transaction as the resulting events. `Codable` for that purpose.
///
/// - Important: episodes are re-derived from all held resources on every change, which is what makes
///   "any order" and "re-sending changes nothing" hold; the cost grows with the book, so a store keeps
///   one book per group of related patients rather than one for the whole gateway.
public struct EpisodeBook: Sendable, Codable, Hashable {
    /// Held resources by key (``HeldResource/key``).
    public internal(set) var resources: [String: HeldResource]
    /// Current episodes by id, timelines included.
    public internal(set) var episodes: [String: Episode]
    /// The time of the last ``Normaliser/reevaluate(at:book:)``; overdue flags are computed against it.
    public internal(set) var evaluatedAt: FHIRInstant?
    /// Arrival counter for ``HeldResource/arrival``.
    var arrivals: Int

    /// An empty book.
    public init() {
        self.resources = [:]
        self.episodes = [:]
        self.evaluatedAt = nil
        self.arrivals = 0
    }

    /// The episodes sorted by id.
    public var sortedEpisodes: [Episode] {
        self.episodes.keys.sorted().map { self.episodes[$0]! }
    }
}

/// What one ingested message (or one re-evaluation) changed.
public struct Ingestion: Sendable, Hashable {
    /// The new events of one episode and the episode after them.
    public struct EpisodeChange: Sendable, Hashable {
        public var episodeID: String
        /// Set when the episode's id changed (its patient key or root referral became known): the store
        /// and partners should treat the old id as this episode.
        public var previousEpisodeID: String?
        public var events: [TimelineEvent]
        public var episode: Episode
    }

    /// Changed episodes, by id.
    public var changes: [EpisodeChange]
    /// Episodes that no resource supports any more (their referral now matches another service line,
    /// say); they are dropped from the book.
    public var retiredEpisodeIDs: [String]
    /// Keys of the resources this message added or replaced; empty when it changed nothing.
    public var storedKeys: [String]
    /// Warnings about the message's resources: no patient, no service line, unresolved references…
    public var outcome: Outcome

    /// Whether nothing changed.
    public var isEmpty: Bool { self.changes.isEmpty && self.retiredEpisodeIDs.isEmpty && self.storedKeys.isEmpty }
}
