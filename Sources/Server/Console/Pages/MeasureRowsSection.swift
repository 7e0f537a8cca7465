import CoManagement

/// The measures page's table: ``CoManagement/MeasureRow``s as `GET /measures` and `tandem measures` give
/// them, one per service line (every partner) and per service line and partner.
enum MeasureRowsSection {
    static func render(_ rows: [MeasureRow]) -> HTML {
        let body = rows.map { row -> HTML in
            let reports = row.reportTimeliness
            return """
                <tr><td>\(row.serviceLine)</td><td>\(row.partner ?? "every partner")</td><td>\(row.episodes)</td>\
                <td>\(Self.distribution(row.referralTurnaround))</td><td>\(Self.distribution(row.handoffAcknowledgement))</td>\
                <td>\(reports.onTime) on time, \(reports.late) late, \(reports.overdue) overdue, \(reports.pending) pending</td>\
                <td>\(row.openOverdue.total)</td></tr>
                """
        }
        return ConsoleTable.section(
            id: "measure-rows",
            title: "By service line and partner",
            live: true,
            ConsoleTable.render(
                [
                    "Service line", "Partner", "Episodes", "Referral turnaround (median · p90 · max)",
                    "Hand-off acknowledgement (median · p90 · max)", "Reports", "Open and overdue",
                ],
                body,
                empty: "No episode yet."
            )
        )
    }

    static func distribution(_ distribution: Distribution) -> String {
        guard distribution.count > 0 else { return "—" }
        return [distribution.p50, distribution.p90, distribution.max].map { ConsoleLayout.hours($0) }
            .joined(separator: " · ") + " (\(distribution.count))"
    }
}
