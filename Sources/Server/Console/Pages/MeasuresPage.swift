public import CoManagement
public import Store

/// `/console/measures`: the measures per service line and partner (``CoManagement/MeasureRow``), referral
/// turnaround and hand-off acknowledgement over time per service line over the `charted` episodes (the
/// most recently changed, at most `chartLimit`; one partner's when one is chosen), and the episodes with
/// overdue items (the first ``overdueListed``, most overdue items first).
public enum MeasuresPage {
    /// How many episodes with overdue items the page lists.
    public static let overdueListed = 200

    public static func render(
        chrome: ConsoleChrome,
        charted episodes: [Episode],
        chartLimit: Int,
        rows: [MeasureRow],
        overdue: [EpisodeMeasureFacts],
        partners: [String],
        partner: String?
    ) -> HTML {
        let options =
            [HTML("<option value=\"\">every partner</option>")]
            + partners.map { name -> HTML in
                let selected: HTML = name == partner ? " selected" : .empty
                return "<option value=\"\(name)\"\(selected)>\(name)</option>"
            }
        let mostOverdue = MeasureSeries.overdue(overdue)
        let listed = mostOverdue.prefix(Self.overdueListed).map { record -> HTML in
            let facts = record.facts
            return """
                <tr><td><a href="/console/episodes/\(component: record.episodeID)">\(record.episodeID)</a></td>\
                <td>\(facts.serviceLine)</td><td>\(facts.overdue.activities)</td><td>\(facts.overdue.reports)</td>\
                <td>\(ConsoleLayout.fhirTime(facts.evaluatedAt))</td></tr>
                """
        }
        let more: HTML =
            mostOverdue.count > Self.overdueListed
            ? "<p>The \(Self.overdueListed) with the most overdue items of \(mostOverdue.count).</p>" : .empty
        let overdueHTML = ConsoleTable.render(
            ["Episode", "Service line", "Overdue activities", "Overdue reports", "Evaluated"],
            Array(listed),
            empty: "Nothing is overdue."
        )
        let window: HTML =
            episodes.count >= chartLimit
            ? "<p>The charts draw the \(chartLimit) most recently changed episodes.</p>" : .empty
        return ConsoleLayout.page(
            title: "Measures",
            chrome: chrome,
            body: """
                <form class="search" method="get" action="/console/measures"><p><label for="partner">Partner</label>\
                <select id="partner" name="partner">\(options)</select></p><p><button type="submit">Show</button></p></form>\
                \(MeasureRowsSection.render(rows))<section id="turnaround" data-live aria-labelledby="turnaround-title">\
                <h2 id="turnaround-title">Referral turnaround</h2>\(window)\
                \(LineChart.render(id: "turnaround-chart", title: "Hours from referral to acceptance, by service line", series: MeasureSeries.turnaround(episodes)))\
                </section><section id="acknowledgement" data-live aria-labelledby="acknowledgement-title">\
                <h2 id="acknowledgement-title">Hand-off acknowledgement</h2>\
                \(LineChart.render(id: "acknowledgement-chart", title: "Hours from hand-off to acknowledgement, by service line", series: MeasureSeries.acknowledgement(episodes)))\
                </section><section id="overdue" data-live aria-labelledby="overdue-title"><h2 id="overdue-title">Overdue items</h2>\
                \(overdueHTML)\(more)</section>
                """
        )
    }
}
