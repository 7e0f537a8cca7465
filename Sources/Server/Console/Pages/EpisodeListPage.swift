public import CoManagement

/// `/console/episodes`: the search form and the episodes found, most recently changed first.
public enum EpisodeListPage {
    /// What was searched for, as the form shows it again.
    public struct Search: Sendable, Hashable {
        public var patient: String
        public var serviceLine: String
        public var status: String

        public init(patient: String = "", serviceLine: String = "", status: String = "") {
            self.patient = patient
            self.serviceLine = serviceLine
            self.status = status
        }
    }

    public static func render(
        chrome: ConsoleChrome,
        search: Search,
        episodes: [Episode],
        serviceLines: [String]
    ) -> HTML {
        let statuses =
            [HTML("<option value=\"\">any</option>")]
            + EpisodeStatus.allCases.map { status -> HTML in
                let selected: HTML = status.rawValue == search.status ? " selected" : .empty
                return "<option value=\"\(status.rawValue)\"\(selected)>\(status.rawValue)</option>"
            }
        let lines = serviceLines.map { line -> HTML in "<option value=\"\(line)\"></option>" }
        let rows = episodes.map { episode -> HTML in
            """
            <tr><td><a href="/console/episodes/\(component: episode.id)">\(Self.patient(episode.patient))</a></td>\
            <td>\(episode.serviceLine)</td><td><span class="status \(episode.status.rawValue)">\
            \(episode.status.rawValue)</span></td><td>\(episode.participants.count)</td>\
            <td>\(episode.timeline.count)</td><td>\(ConsoleLayout.fhirTime(episode.timeline.last?.at))</td></tr>
            """
        }
        let table = ConsoleTable.render(
            ["Patient", "Service line", "Status", "Participants", "Events", "Last event"],
            rows,
            empty: "No episode matches.",
            caption: "\(episodes.count) episodes, most recently changed first"
        )
        return ConsoleLayout.page(
            title: "Episodes",
            chrome: chrome,
            body: """
                <form class="search" method="get" action="/console/episodes" role="search">\
                <p><label for="patient">Patient identifier</label>\
                <input id="patient" name="patient" value="\(search.patient)" placeholder="system|value or value"></p>\
                <p><label for="serviceLine">Service line</label>\
                <input id="serviceLine" name="serviceLine" list="service-lines" value="\(search.serviceLine)">\
                <datalist id="service-lines">\(lines)</datalist></p>\
                <p><label for="status">Status</label><select id="status" name="status">\(statuses)</select></p>\
                <p><button type="submit">Search</button></p></form>\
                <section id="episode-list" data-live>\(table)</section>
                """
        )
    }

    /// The patient's name and identifiers, as one line.
    static func patient(_ patient: PatientSummary) -> String {
        let identifiers = patient.identifiers.map(\.value).joined(separator: ", ")
        guard let name = patient.name, !name.isEmpty else { return identifiers.isEmpty ? patient.key : identifiers }
        return identifiers.isEmpty ? name : "\(name) (\(identifiers))"
    }
}
