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
    public var resources: [String: HeldResource] { self.index.held }
    /// Current episodes by id, timelines included. Changed only through ``replaceEpisodes(_:with:)``,
    /// which keeps ``episodeIDsBySource`` in step.
    public private(set) var episodes: [String: Episode]
    /// Held-resource key → ids of the episodes built from it: finds the episodes a message can touch
    /// without scanning them all. Derived from ``episodes``; not encoded.
    private(set) var episodeIDsBySource: [String: Set<String>] = [:]
    /// The time of the last ``Normaliser/reevaluate(at:book:)``; overdue flags are computed against it.
    public internal(set) var evaluatedAt: FHIRInstant?
    /// Arrival counter for ``HeldResource/arrival``.
    var arrivals: Int
    /// The held resources with their lookup tables, and how they link; derived from the resources,
    /// kept up to date by ``store(_:)``, not encoded (rebuilt when a book is decoded).
    private(set) var index: ResourceIndex
    private(set) var links: ResourceLinks

    /// An empty book.
    public init() {
        self.episodes = [:]
        self.evaluatedAt = nil
        self.arrivals = 0
        self.index = ResourceIndex()
        self.links = ResourceLinks()
    }

    /// The episodes built from any of the given resource keys.
    func episodes(builtFrom keys: Set<String>) -> [String: Episode] {
        var found: [String: Episode] = [:]
        for key in keys {
            for id in self.episodeIDsBySource[key] ?? [] { found[id] = self.episodes[id] }
        }
        return found
    }

    /// Removes the episodes with the given ids and inserts (or replaces) the new ones, in place.
    mutating func replaceEpisodes(_ removed: some Sequence<String>, with inserted: [Episode]) {
        for id in removed {
            guard let episode = self.episodes.removeValue(forKey: id) else { continue }
            self.unindex(episode)
        }
        for episode in inserted {
            if let previous = self.episodes.updateValue(episode, forKey: episode.id) { self.unindex(previous) }
            for key in episode.sources { self.episodeIDsBySource[key, default: []].insert(episode.id) }
        }
    }

    private mutating func unindex(_ episode: Episode) {
        for key in episode.sources {
            self.episodeIDsBySource[key]?.remove(episode.id)
            if self.episodeIDsBySource[key]?.isEmpty == true { self.episodeIDsBySource[key] = nil }
        }
    }

    /// Holds a resource (replacing the version under its key) and updates the lookup tables.
    mutating func store(_ item: HeldResource) {
        self.index.store(item)
        self.links.store(item)
    }

    private enum CodingKeys: String, CodingKey { case resources, episodes, evaluatedAt, arrivals }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.episodes = [:]
        self.evaluatedAt = try container.decodeIfPresent(FHIRInstant.self, forKey: .evaluatedAt)
        self.arrivals = try container.decode(Int.self, forKey: .arrivals)
        self.index = ResourceIndex()
        self.links = ResourceLinks()
        self.replaceEpisodes([], with: Array(try container.decode([String: Episode].self, forKey: .episodes).values))
        let resources = try container.decode([String: HeldResource].self, forKey: .resources)
        for key in resources.keys.sorted() { self.store(resources[key]!) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.resources, forKey: .resources)
        try container.encode(self.episodes, forKey: .episodes)
        try container.encodeIfPresent(self.evaluatedAt, forKey: .evaluatedAt)
        try container.encode(self.arrivals, forKey: .arrivals)
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

        public init(episodeID: String, previousEpisodeID: String? = nil, events: [TimelineEvent], episode: Episode) {
            self.episodeID = episodeID
            self.previousEpisodeID = previousEpisodeID
            self.events = events
            self.episode = episode
        }
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
    /// The referrals this message stored (every held one, for a re-evaluation) that are in no episode
    /// because of their codes; each also has a warning in ``outcome``.
    public var unmatchedReferrals: [UnmatchedReferral] = []

    /// Whether nothing changed.
    public var isEmpty: Bool { self.changes.isEmpty && self.retiredEpisodeIDs.isEmpty && self.storedKeys.isEmpty }
}
