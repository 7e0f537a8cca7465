/// What an episode contributes to the measures, before any partner is considered: the figures of
/// ``MeasureSample`` with the names its parties go by in place of the partners it counts for.
///
/// The store keeps these beside each episode, written with it, so that measures over a large store read a
/// few figures per episode instead of decoding every episode with its timeline.
public struct MeasureFacts: Sendable, Hashable, Codable {
    public var serviceLine: String
    public var status: String
    /// When the episode opened, as the episode records it: its root referral's `authoredOn`, else the time
    /// of its first event.
    public var openedAt: String?
    /// Hours from the root referral's request to its acceptance, once accepted.
    public var turnaround: Double?
    /// Hours from each hand-off to its first acknowledgement, for those acknowledged.
    public var acknowledgements: [Double]
    public var timeliness: MeasureRow.ReportTimeliness
    public var overdue: MeasureRow.OpenOverdue
    /// Every name a participant goes by (``Participant/names``), sorted and without repeats. A partner counts the episode when it represents one of them
    /// (``EpisodeParties/participantKeys(representedBy:)``) or watches its service line.
    public var partyNames: [String]
    /// The time the episode was last evaluated against for its overdue figures (``Measures/evaluatedAt``).
    public var evaluatedAt: String?

    public init(_ episode: Episode) {
        self.serviceLine = episode.serviceLine
        self.status = episode.status.rawValue
        self.openedAt = episode.referrals.first?.lifecycle.requestedAt ?? episode.timeline.first?.at
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
        self.partyNames = Set(episode.participants.flatMap(\.names)).sorted()
        self.evaluatedAt = episode.measures.evaluatedAt
    }

    /// Whether `audience` counts the episode, as ``MeasureAudience/covers(_:)`` decides it for the episode.
    public func isCovered(by audience: MeasureAudience) -> Bool {
        audience.serviceLines.contains(self.serviceLine)
            || self.partyNames.contains(where: audience.represents.contains)
    }

    // Stored as one JSON array, in the order of the properties, the counts flattened: read for every
    // episode whenever measures are computed, an array decodes in one pass without looking up keys.
    public init(from decoder: any Decoder) throws {
        var fields = try decoder.unkeyedContainer()
        self.serviceLine = try fields.decode(String.self)
        self.status = try fields.decode(String.self)
        self.openedAt = try fields.decodeIfPresent(String.self)
        self.turnaround = try fields.decodeIfPresent(Double.self)
        self.acknowledgements = try fields.decode([Double].self)
        let counts = try fields.decode([Int].self)
        guard counts.count == 8 else {
            throw DecodingError.dataCorruptedError(in: fields, debugDescription: "measure facts hold 8 counts")
        }
        self.timeliness = MeasureRow.ReportTimeliness()
        self.timeliness.onTime = counts[0]
        self.timeliness.late = counts[1]
        self.timeliness.overdue = counts[2]
        self.timeliness.pending = counts[3]
        self.overdue = MeasureRow.OpenOverdue()
        self.overdue.activities = counts[4]
        self.overdue.reports = counts[5]
        self.overdue.referrals = counts[6]
        self.overdue.handoffs = counts[7]
        self.partyNames = try fields.decode([String].self)
        // Absent from the facts written before it was kept.
        self.evaluatedAt = fields.isAtEnd ? nil : try fields.decodeIfPresent(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.unkeyedContainer()
        try fields.encode(self.serviceLine)
        try fields.encode(self.status)
        try fields.encode(self.openedAt)
        try fields.encode(self.turnaround)
        try fields.encode(self.acknowledgements)
        try fields.encode([
            self.timeliness.onTime, self.timeliness.late, self.timeliness.overdue, self.timeliness.pending,
            self.overdue.activities, self.overdue.reports, self.overdue.referrals, self.overdue.handoffs,
        ])
        try fields.encode(self.partyNames)
        try fields.encode(self.evaluatedAt)
    }
}
