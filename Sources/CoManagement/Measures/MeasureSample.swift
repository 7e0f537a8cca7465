/// What one episode contributes to the measures (``MeasureTable``): a few figures instead of the episode,
/// so that measures over a large store are computed page by page without holding its episodes.
public struct MeasureSample: Sendable, Hashable {
    public var serviceLine: String
    /// When the episode opened (``MeasureTable/openedAt(_:)``).
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
        self.serviceLine = episode.serviceLine
        self.openedAt = MeasureTable.openedAt(episode)
        self.status = episode.status.rawValue
        if let root = episode.referrals.first, let requested = root.lifecycle.requestedAt.flatMap(FHIRInstant.init),
            let accepted = root.lifecycle.acceptedAt.flatMap(FHIRInstant.init)
        {
            self.turnaround = requested.hours(until: accepted)
        }
        self.acknowledgements = episode.handoffs.compactMap { handoff in
            guard let effective = handoff.effective.flatMap(FHIRInstant.init),
                let first = handoff.acknowledgements.compactMap({ $0.at.flatMap(FHIRInstant.init) }).min()
            else { return nil }
            return effective.hours(until: first)
        }
        var timeliness = MeasureRow.ReportTimeliness()
        for report in episode.reports {
            if let returned = report.returnedAt.flatMap(FHIRInstant.init) {
                if let due = report.dueBy.flatMap(FHIRInstant.due), returned > due {
                    timeliness.late += 1
                } else {
                    timeliness.onTime += 1
                }
            } else if report.overdue {
                timeliness.overdue += 1
            } else {
                timeliness.pending += 1
            }
        }
        self.timeliness = timeliness
        var overdue = MeasureRow.OpenOverdue()
        overdue.activities = episode.carePlans.flatMap(\.activities).filter(\.overdue).count
        overdue.reports = episode.reports.filter(\.overdue).count
        overdue.referrals = episode.referrals.filter { $0.lifecycle.unanswered == true }.count
        overdue.handoffs = episode.tasks.filter { $0.kind == .handoff && $0.escalated == true }.count
        self.overdue = overdue
        self.partners = Set(audiences.filter { $0.covers(episode) }.map(\.id))
    }
}
