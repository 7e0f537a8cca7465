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
        let selected = episodes.filter { episode in
            if let line = query.serviceLine, episode.serviceLine != line { return false }
            guard query.from != nil || query.to != nil else { return true }
            guard let opened = self.openedAt(episode) else { return false }
            if let from = query.from, opened < from { return false }
            if let to = query.to, opened >= to { return false }
            return true
        }
        var rows: [MeasureRow] = []
        let lines = Set(selected.map(\.serviceLine)).sorted()
        for line in lines {
            let ofLine = selected.filter { $0.serviceLine == line }
            if query.partner == nil { rows.append(self.row(line, partner: nil, ofLine)) }
            for partner in partners.sorted(by: { $0.id < $1.id }) where query.partner.map({ $0 == partner.id }) ?? true
            {
                let covered = ofLine.filter(partner.covers)
                if !covered.isEmpty { rows.append(self.row(line, partner: partner.id, covered)) }
            }
        }
        return rows
    }

    /// When an episode opened: its root referral's `authoredOn`, else the time of its first event.
    public static func openedAt(_ episode: Episode) -> FHIRInstant? {
        (episode.referrals.first?.lifecycle.requestedAt ?? episode.timeline.first?.at).flatMap(FHIRInstant.init)
    }

    static func row(_ line: String, partner: String?, _ episodes: [Episode]) -> MeasureRow {
        var byStatus: [String: Int] = [:]
        var turnaround: [Double] = []
        var acknowledgement: [Double] = []
        var timeliness = MeasureRow.ReportTimeliness()
        var overdue = MeasureRow.OpenOverdue()
        for episode in episodes {
            byStatus[episode.status.rawValue, default: 0] += 1
            if let root = episode.referrals.first, let requested = root.lifecycle.requestedAt.flatMap(FHIRInstant.init),
                let accepted = root.lifecycle.acceptedAt.flatMap(FHIRInstant.init)
            {
                turnaround.append(requested.hours(until: accepted))
            }
            for handoff in episode.handoffs {
                guard let effective = handoff.effective.flatMap(FHIRInstant.init),
                    let first = handoff.acknowledgements.compactMap({ $0.at.flatMap(FHIRInstant.init) }).min()
                else { continue }
                acknowledgement.append(effective.hours(until: first))
            }
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
            overdue.activities += episode.carePlans.flatMap(\.activities).filter(\.overdue).count
            overdue.reports += episode.reports.filter(\.overdue).count
            overdue.referrals += episode.referrals.filter { $0.lifecycle.unanswered == true }.count
            overdue.handoffs += episode.tasks.filter { $0.kind == .handoff && $0.escalated == true }.count
        }
        return MeasureRow(
            serviceLine: line,
            partner: partner,
            episodes: episodes.count,
            episodesByStatus: byStatus,
            referralTurnaround: Distribution(turnaround),
            handoffAcknowledgement: Distribution(acknowledgement),
            reportTimeliness: timeliness,
            openOverdue: overdue
        )
    }
}
