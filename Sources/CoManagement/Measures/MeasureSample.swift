/// What one episode contributes to the measures (``MeasureTable``): a few figures instead of the episode,
/// so that measures over a large store are computed page by page without holding its episodes.
public struct MeasureSample: Sendable, Hashable {
    public var serviceLine: String
    /// When the episode opened (``MeasureFacts/openedAt``).
    public var openedAt: FHIRInstant?
    public var status: String
    /// Hours from the root referral's request to its acceptance, once accepted.
    public var turnaround: Double?
    /// Hours from each hand-off to its first acknowledgement, for those acknowledged.
    public var acknowledgements: [Double]
    public var timeliness: MeasureRow.ReportTimeliness
    public var overdue: MeasureRow.OpenOverdue
    /// The ids of the partners (of those it was taken with) the episode counts for.
    public var partners: Set<String>

    /// The figures of `episode`, counted for each of `audiences` that covers it.
    public init(_ episode: Episode, audiences: [MeasureAudience]) {
        self.init(MeasureFacts(episode), audiences: audiences)
    }

    /// The figures an episode's `facts` hold, counted for each of `audiences` that covers it.
    public init(_ facts: MeasureFacts, audiences: [MeasureAudience]) {
        self.serviceLine = facts.serviceLine
        self.openedAt = facts.openedAt.flatMap(FHIRInstant.init)
        self.status = facts.status
        self.turnaround = facts.turnaround
        self.acknowledgements = facts.acknowledgements
        self.timeliness = facts.timeliness
        self.overdue = facts.overdue
        self.partners = Set(audiences.filter(facts.isCovered(by:)).map(\.id))
    }
}
