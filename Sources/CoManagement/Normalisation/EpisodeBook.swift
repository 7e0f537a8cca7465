import FHIRCore

/// What the normaliser knows of one group of related patients (or of everything, in a test): the latest
/// version of every resource received and the episodes derived from them, with their timelines.
///
/// A value: the caller (the store) builds it from what it persisted, passes it `inout` to
/// ``Normaliser/ingest(_:sender:into:)`` and persists what the returned ``Ingestion`` says changed.
///
/// Episodes are a function of the set of held resources, which is what makes "any order" and
/// "re-sending changes nothing" hold; but nothing is computed twice. The facts read from each resource
/// are kept until a resource they depend on changes, and an episode is built again only when the facts
/// gathered for it did, so a message costs what it changed, not what the book holds. The kept facts and
/// signatures live in memory only; a book rebuilt from storage reads them again once.
public struct EpisodeBook: Sendable {
    /// Held resources by key (``HeldResource/key``).
    public var resources: [String: HeldResource] { self.index.held }
    /// Current episodes by id, timelines included.
    public private(set) var episodes: [String: Episode]
    /// The time of the last ``Normaliser/reevaluate(at:book:)``; overdue flags are computed against it.
    public internal(set) var evaluatedAt: FHIRInstant?
    /// The highest ``HeldResource/arrival`` held; new resources arrive after it.
    public internal(set) var arrivals: Int
    /// The held resources with their lookup tables.
    private(set) var index: ResourceIndex
    /// The facts read from the held resources, by key, and the names each depended on, inverted.
    private(set) var facts: [String: ReadFact] = [:]
    /// The same facts by kind, each kind in key order, as derivations take them.
    private(set) var classified = Facts()
    private var dependents: [String: Set<String>] = [:]
    /// Keys whose facts must be read again before the next derivation.
    private(set) var stale: Set<String> = []
    private var revisions = 0
    /// What each current episode was last built from (``EpisodeDerivation/Signature``).
    var signatures: [String: EpisodeDerivation.Signature] = [:]

    /// An empty book.
    public init() {
        self.episodes = [:]
        self.evaluatedAt = nil
        self.arrivals = 0
        self.index = ResourceIndex()
    }

    /// A book of what a store persisted: held resources, episodes with their timelines, the evaluation
    /// time. Facts are read again on the first derivation.
    public init(resources: [HeldResource], episodes: [Episode], evaluatedAt: FHIRInstant?) {
        self.init()
        self.evaluatedAt = evaluatedAt
        for item in resources.sorted(by: { $0.key < $1.key }) { self.store(item) }
        for episode in episodes { self.episodes[episode.id] = episode }
    }

    /// Holds a resource, replacing the version under its key, and marks stale the facts that depended on
    /// any name it had or has. Storing the very content already held changes nothing.
    public mutating func store(_ item: HeldResource) {
        let old = self.index.held[item.key]
        if let old, old.resource == item.resource, old.sender == item.sender, old.fullUrl == item.fullUrl { return }
        self.index.store(item)
        self.arrivals = max(self.arrivals, item.arrival)
        var names = Set(ResourceLinks.names(of: item)).union([item.key])
        if let old { names.formUnion(ResourceLinks.names(of: old)) }
        for name in names { self.stale.formUnion(self.dependents[name] ?? []) }
        self.stale.insert(item.key)
    }

    /// Stops holding the resource under `key` (its sender withdrew it) and marks stale the facts that
    /// depended on it; nothing when none is held.
    public mutating func remove(_ key: String) {
        guard let old = self.index.held[key] else { return }
        self.index.remove(key)
        for name in Set(ResourceLinks.names(of: old)).union([key]) { self.stale.formUnion(self.dependents[name] ?? []) }
        self.stale.insert(key)
    }

    /// Adds every resource and episode of `other` (another partition joined to this one by a message).
    public mutating func merge(_ other: EpisodeBook) {
        for key in other.resources.keys.sorted() { self.store(other.resources[key]!) }
        for (id, episode) in other.episodes { self.episodes[id] = episode }
        self.signatures.merge(other.signatures) { mine, _ in mine }
        self.evaluatedAt = [self.evaluatedAt, other.evaluatedAt].compactMap { $0 }.max()
    }

    /// Reads again the facts of stale keys, and of every held key when none were read yet.
    mutating func refreshFacts(mappings: MappingSet) {
        if self.facts.isEmpty { self.stale.formUnion(self.index.held.keys) }
        guard !self.stale.isEmpty else { return }
        let reader = FactReader(
            mappings: mappings,
            index: self.index,
            log: IssueLog(),
            dependencies: FactDependencies()
        )
        let read = reader.read(keys: self.stale.sorted())
        for key in self.stale {
            if let old = self.facts.removeValue(forKey: key) {
                for name in old.dependencies { self.dependents[name]?.remove(key) }
                self.classified.remove(old, key: key)
            }
            guard var fact = read[key] else { continue }
            self.revisions += 1
            fact.revision = self.revisions
            for name in fact.dependencies { self.dependents[name, default: []].insert(key) }
            self.facts[key] = fact
            self.classified.insert(fact, key: key)
        }
        self.stale = []
    }

    /// Moves the episodes out, leaving none, for a derivation to change in place and give back
    /// (``restoreEpisodes(_:)``).
    mutating func takeEpisodes() -> [String: Episode] {
        var episodes: [String: Episode] = [:]
        swap(&episodes, &self.episodes)
        return episodes
    }

    /// Gives back the episodes ``takeEpisodes()`` took, as the derivation left them.
    mutating func restoreEpisodes(_ episodes: [String: Episode]) {
        self.episodes = episodes
    }

    /// Makes the next resource stored arrive after `arrival` (a store numbers arrivals across all its books).
    public mutating func continueArrivals(after arrival: Int) {
        self.arrivals = max(self.arrivals, arrival)
    }

    /// Forgets every fact and signature (the mappings changed): the next derivation reads and builds all.
    public mutating func forgetDerivations() {
        self.facts = [:]
        self.classified = Facts()
        self.dependents = [:]
        self.signatures = [:]
        self.stale = []
    }

    /// The episodes sorted by id.
    public var sortedEpisodes: [Episode] {
        self.episodes.keys.sorted().map { self.episodes[$0]! }
    }
}

extension EpisodeBook: Hashable {
    /// Books are equal when they hold the same resources and episodes and were evaluated at the same time;
    /// the facts and signatures kept in memory are a cache of those.
    public static func == (lhs: EpisodeBook, rhs: EpisodeBook) -> Bool {
        lhs.resources == rhs.resources && lhs.episodes == rhs.episodes && lhs.evaluatedAt == rhs.evaluatedAt
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.resources)
        hasher.combine(self.episodes)
        hasher.combine(self.evaluatedAt)
    }
}

extension EpisodeBook: Codable {
    private enum CodingKeys: String, CodingKey { case resources, episodes, evaluatedAt, arrivals }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let resources = try container.decode([String: HeldResource].self, forKey: .resources)
        self.init(
            resources: Array(resources.values),
            episodes: Array(try container.decode([String: Episode].self, forKey: .episodes).values),
            evaluatedAt: try container.decodeIfPresent(FHIRInstant.self, forKey: .evaluatedAt)
        )
        self.arrivals = max(self.arrivals, try container.decode(Int.self, forKey: .arrivals))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.resources, forKey: .resources)
        try container.encode(self.episodes, forKey: .episodes)
        try container.encodeIfPresent(self.evaluatedAt, forKey: .evaluatedAt)
        try container.encode(self.arrivals, forKey: .arrivals)
    }
}
