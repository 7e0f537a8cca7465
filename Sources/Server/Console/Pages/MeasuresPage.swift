public import CoManagement

/// `/console/measures`: the measures per service line and partner (``CoManagement/MeasureRow``), referral
/// turnaround and hand-off acknowledgement over time per service line (for one partner's episodes when one
/// is chosen), and the episodes with overdue items.
public enum MeasuresPage {
    public static func render(
        chrome: ConsoleChrome,
        episodes: [Episode],
        rows: [MeasureRow],
        partners: [String],
        partner: String?
    ) -> HTML {
        let options =
            [HTML("<option value=\"\">every partner</option>")]
            + partners.map { name -> HTML in
                let selected: HTML = name == partner ? " selected" : .empty
                return "<option value=\"\(name)\"\(selected)>\(name)</option>"
            }
        let overdue = MeasureSeries.overdue(episodes).map { episode -> HTML in
            """
            <tr><td><a href="/console/episodes/\(component: episode.id)">\(episode.id)</a></td><td>\(episode.serviceLine)</td>\
            <td>\(episode.measures.overdueActivities)</td><td>\(episode.measures.overdueReports)</td>\
            <td>\(ConsoleLayout.fhirTime(episode.measures.evaluatedAt))</td></tr>
            """
        }
        let overdueHTML = ConsoleTable.render(
            ["Episode", "Service line", "Overdue activities", "Overdue reports", "Evaluated"],
            overdue,
            empty: "Nothing is overdue."
        )
        return ConsoleLayout.page(
            title: "Measures",
            chrome: chrome,
            body: """
                <form class="search" method="get" action="/console/measures"><p><label for="partner">Partner</label>\
                <select id="partner" name="partner">\(options)</select></p><p><button type="submit">Show</button></p></form>\
                \(MeasureRowsSection.render(rows))<section id="turnaround" data-live aria-labelledby="turnaround-title">\
                <h2 id="turnaround-title">Referral turnaround</h2>\
                \(LineChart.render(id: "turnaround-chart", title: "Hours from referral to acceptance, by service line", series: MeasureSeries.turnaround(episodes)))\
                </section><section id="acknowledgement" data-live aria-labelledby="acknowledgement-title">\
                <h2 id="acknowledgement-title">Hand-off acknowledgement</h2>\
                \(LineChart.render(id: "acknowledgement-chart", title: "Hours from hand-off to acknowledgement, by service line", series: MeasureSeries.acknowledgement(episodes)))\
                </section><section id="overdue" data-live aria-labelledby="overdue-title"><h2 id="overdue-title">Overdue items</h2>\
                \(overdueHTML)</section>
                """
        )
    }
}
