/// Measures across episodes: the figures ``MeasureRow`` holds, per service line and partner. Pure:
/// episodes (as last evaluated) in, rows out.
public enum MeasureTable {
    /// One row per service line for all its episodes (partner nil), then one per service line and
    /// partner covering any of them, each in name order; only the rows `query` asks for.
    public static func rows(
        of episodes: [Episode],
        partners: [MeasureAudience],
        query: MeasureQuery
    ) -> [MeasureRow] {
        self.rows(of: episodes.map { MeasureSample($0, audiences: partners) }, partners: partners, query: query)
    }

    /// The rows of `query` over the episodes' samples (taken with the same `partners`).
    public static func rows(
        of samples: [MeasureSample],
        partners: [MeasureAudience],
        query: MeasureQuery
    ) -> [MeasureRow] {
        let selected = samples.filter { self.selects(query, $0) }
        var rows: [MeasureRow] = []
        let lines = Set(selected.map(\.serviceLine)).sorted()
        for line in lines {
            let ofLine = selected.filter { $0.serviceLine == line }
            if query.partner == nil { rows.append(self.row(line, partner: nil, ofLine)) }
            for partner in partners.sorted(by: { $0.id < $1.id }) where query.partner.map({ $0 == partner.id }) ?? true
            {
                let covered = ofLine.filter { $0.partners.contains(partner.id) }
                if !covered.isEmpty { rows.append(self.row(line, partner: partner.id, covered)) }
            }
        }
        return rows
    }

    /// Whether `query` counts the sample: its service line, and opened within its period.
    public static func selects(_ query: MeasureQuery, _ sample: MeasureSample) -> Bool {
        if let line = query.serviceLine, sample.serviceLine != line { return false }
        guard query.from != nil || query.to != nil else { return true }
        guard let opened = sample.openedAt else { return false }
        if let from = query.from, opened < from { return false }
        if let to = query.to, opened >= to { return false }
        return true
    }

    static func row(_ line: String, partner: String?, _ samples: [MeasureSample]) -> MeasureRow {
        var byStatus: [String: Int] = [:]
        var timeliness = MeasureRow.ReportTimeliness()
        var overdue = MeasureRow.OpenOverdue()
        for sample in samples {
            byStatus[sample.status, default: 0] += 1
            timeliness.onTime += sample.timeliness.onTime
            timeliness.late += sample.timeliness.late
            timeliness.overdue += sample.timeliness.overdue
            timeliness.pending += sample.timeliness.pending
            overdue.activities += sample.overdue.activities
            overdue.reports += sample.overdue.reports
            overdue.referrals += sample.overdue.referrals
            overdue.handoffs += sample.overdue.handoffs
        }
        let turnaround = samples.compactMap(\.turnaround)
        let acknowledgement = samples.flatMap(\.acknowledgements)
        return MeasureRow(
            serviceLine: line,
            partner: partner,
            episodes: samples.count,
            episodesByStatus: byStatus,
            referralTurnaround: Distribution(turnaround),
            handoffAcknowledgement: Distribution(acknowledgement),
            reportTimeliness: timeliness,
            openOverdue: overdue
        )
    }
}
