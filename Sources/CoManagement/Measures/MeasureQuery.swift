/// Which episodes and partners a measures table covers (`GET /measures?serviceLine=&partner=&from=&to=`).
public struct MeasureQuery: Sendable, Hashable {
    /// Only this service line; nil for all.
    public var serviceLine: String?
    /// Only this partner's rows; nil for every partner and the all-partners row.
    public var partner: String?
    /// Only episodes opened (their root referral's `authoredOn`, else their first event's time) at or
    /// after this instant.
    public var from: FHIRInstant?
    /// Only episodes opened before this instant.
    public var to: FHIRInstant?

    public init(serviceLine: String? = nil, partner: String? = nil, from: FHIRInstant? = nil, to: FHIRInstant? = nil) {
        self.serviceLine = serviceLine
        self.partner = partner
        self.from = from
        self.to = to
    }
}

/// A partner as measures see it: which episodes are its own (``EpisodeParties/participantKeys(representedBy:)``,
/// or a whole service line), as routing decides it.
public struct MeasureAudience: Sendable, Hashable {
    public var id: String
    public var represents: Set<String>
    public var serviceLines: Set<String>

    public init(id: String, represents: Set<String>, serviceLines: Set<String>) {
        self.id = id
        self.represents = represents
        self.serviceLines = serviceLines
    }

    /// Whether the episode is one the partner takes part in or watches by service line.
    public func covers(_ episode: Episode) -> Bool {
        self.serviceLines.contains(episode.serviceLine)
            || !episode.parties.participantKeys(representedBy: self.represents).isEmpty
    }
}
