public import FHIRCore

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
    /// Warnings about the message's resources: no patient, no service line, unresolved references…, each
    /// message prefixed with its resource's key.
    public var outcome: Outcome
    /// The same warnings by the key of the resource they are about, unprefixed.
    public var issues: [String: [Issue]] = [:]
    /// The referrals this message stored (every held one, for a re-evaluation) that are in no episode
    /// because of their codes; each also has a warning in ``outcome``.
    public var unmatchedReferrals: [UnmatchedReferral] = []

    /// Whether nothing changed.
    public var isEmpty: Bool { self.changes.isEmpty && self.retiredEpisodeIDs.isEmpty && self.storedKeys.isEmpty }
}
