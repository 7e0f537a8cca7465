import CoManagement
import FHIRCore
import Foundation

/// The measures as FHIR: a `collection` Bundle of `MeasureReport`s of type `summary`, one per row
/// (service line and partner), with one `group` per figure (https://hl7.org/fhir/R4/measurereport.html).
///
/// Each group's `code` is a code of Tandem's measure code system; counts are the group's
/// `initial-population` count and its `measureScore`; durations are a `measureScore` in hours (UCUM `h`)
/// with the number of durations measured as the population.
enum MeasureReportBuilder {
    static let measure = "http://tandem.example.org/fhir/Measure/co-management"
    static let codeSystem = "http://tandem.example.org/fhir/CodeSystem/co-management-measure"
    static let populationSystem = "http://terminology.hl7.org/CodeSystem/measure-population"

    /// The Bundle of reports for `rows`, over the period from `start` to `end`, made at `date`.
    static func bundle(_ rows: [MeasureRow], start: String, end: String, date: String) -> Element {
        var children: [Element] = [.primitive("type", "code", "collection")]
        for row in rows {
            children.append(
                .node(
                    "entry",
                    "Bundle.Entry",
                    [
                        self.report(row, start: start, end: end, date: date)
                            .named("resource")
                    ]
                )
            )
        }
        return Element(name: "Bundle", type: "Bundle", children: children)
    }

    static func report(_ row: MeasureRow, start: String, end: String, date: String) -> Element {
        var groups: [Element] = []
        func duration(_ name: String, _ distribution: Distribution) {
            for (figure, value) in [("p50", distribution.p50), ("p90", distribution.p90), ("max", distribution.max)] {
                groups.append(self.group("\(name)-\(figure)", count: distribution.count, hours: value))
            }
        }
        duration("referral-turnaround", row.referralTurnaround)
        duration("handoff-acknowledgement", row.handoffAcknowledgement)
        let timeliness = row.reportTimeliness
        groups.append(self.group("reports-on-time", count: timeliness.onTime))
        groups.append(self.group("reports-late", count: timeliness.late))
        groups.append(self.group("reports-overdue", count: timeliness.overdue))
        groups.append(self.group("reports-pending", count: timeliness.pending))
        let overdue = row.openOverdue
        groups.append(self.group("open-overdue-activities", count: overdue.activities))
        groups.append(self.group("open-overdue-reports", count: overdue.reports))
        groups.append(self.group("open-unanswered-referrals", count: overdue.referrals))
        groups.append(self.group("open-unacknowledged-handoffs", count: overdue.handoffs))
        groups.append(self.group("episodes", count: row.episodes))
        for status in EpisodeStatus.allCases {
            groups.append(self.group("episodes-\(status.rawValue)", count: row.episodesByStatus[status.rawValue] ?? 0))
        }
        var extensions = [self.extensionCode("service-line", row.serviceLine)]
        if let partner = row.partner { extensions.append(self.extensionCode("partner", partner)) }
        return Element(
            name: "MeasureReport",
            type: "MeasureReport",
            children: extensions + [
                .primitive("status", "code", "complete"),
                .primitive("type", "code", "summary"),
                .primitive("measure", "canonical", self.measure),
                .primitive("date", "dateTime", date),
                .node(
                    "period",
                    "Period",
                    [.primitive("start", "dateTime", start), .primitive("end", "dateTime", end)]
                ),
            ] + groups
        )
    }

    /// Tandem's extension naming the row's service line or partner.
    private static func extensionCode(_ name: String, _ value: String) -> Element {
        .node(
            "extension",
            "Extension",
            [
                .primitive("url", "uri", "http://tandem.example.org/fhir/StructureDefinition/measure-\(name)"),
                .primitive("value", "code", value),
            ]
        )
    }

    private static func group(_ code: String, count: Int, hours: Double?? = nil) -> Element {
        var children: [Element] = [
            .node("code", "CodeableConcept", [self.coding(code)]),
            .node(
                "population",
                "MeasureReport.Population",
                [
                    .node(
                        "code",
                        "CodeableConcept",
                        [
                            .node(
                                "coding",
                                "Coding",
                                [
                                    .primitive("system", "uri", self.populationSystem),
                                    .primitive("code", "code", "initial-population"),
                                ]
                            )
                        ]
                    ),
                    .primitive("count", "integer", String(count)),
                ]
            ),
        ]
        switch hours {
        case .some(.some(let value)):
            children.append(
                .node(
                    "measureScore",
                    "Quantity",
                    [
                        .primitive("value", "decimal", Self.decimal(value)),
                        .primitive("unit", "string", "h"),
                        .primitive("system", "uri", "http://unitsofmeasure.org"),
                        .primitive("code", "code", "h"),
                    ]
                )
            )
        case .some(.none):
            break
        case .none:
            children.append(.node("measureScore", "Quantity", [.primitive("value", "decimal", String(count))]))
        }
        return .node("group", "MeasureReport.Group", children)
    }

    private static func coding(_ code: String) -> Element {
        .node("coding", "Coding", [.primitive("system", "uri", self.codeSystem), .primitive("code", "code", code)])
    }

    /// Hours with at most three decimals, as FHIR decimals are written.
    static func decimal(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        var text = String(format: "%.3f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
