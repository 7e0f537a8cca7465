import ArgumentParser
import CoManagement
import Foundation
import Server
import Store

/// `tandem measures`: measures across episodes, per service line and partner, read from the gateway's
/// store and printed as a table (`GET /measures` answers the same over HTTP).
struct MeasuresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measures",
        abstract:
            "Print referral turnaround, hand-off acknowledgement, report timeliness and overdue items per service line and partner.",
        discussion: """
            Works on the store the configuration names (--config, TANDEM_CONFIG, TANDEM_STORE_URL, as \
            `tandem serve` reads them), safely while the gateway runs; the partners are the configuration's. \
            Durations are hours (p50, p90 and max, nearest rank); overdue figures are as each episode was last \
            evaluated by the gateway's timers.
            """
    )

    @Option(name: .long, help: "The gateway's configuration file (JSON).") var config: String?
    @Option(name: .long, help: "Only this service line.") var serviceLine: String?
    @Option(name: .long, help: "Only this partner's rows.") var partner: String?
    @Option(name: .long, help: "Only episodes opened at or after this FHIR date or dateTime.") var from: String?
    @Option(name: .long, help: "Only episodes opened before this FHIR date or dateTime.") var to: String?

    func validate() throws {
        for (name, value) in [("--from", self.from), ("--to", self.to)] {
            if let value, FHIRInstant(value) == nil {
                throw ValidationError("\(name) must be a FHIR date or dateTime, not '\(value)'")
            }
        }
    }

    func run() async throws {
        let query = MeasureQuery(
            serviceLine: self.serviceLine,
            partner: self.partner,
            from: self.from.flatMap(FHIRInstant.init),
            to: self.to.flatMap(FHIRInstant.init)
        )
        let rows = try await AdministeredStore.with(config: self.config) { store, settings in
            try await EpisodeMeasures(store: store, audiences: settings.gatewaySettings.measureAudiences).rows(query)
        }
        guard !rows.isEmpty else { return print("no episodes") }
        print(MeasureText.table(rows))
    }
}

/// The measures as a fixed-width text table.
enum MeasureText {
    static let header = [
        "service line", "partner", "episodes", "turnaround h p50/p90/max", "ack h p50/p90/max",
        "reports on-time/late/overdue/pending", "open overdue act/rep/ref/hand-off", "by status",
    ]

    static func table(_ rows: [MeasureRow]) -> String {
        let lines = [Self.header] + rows.map(Self.cells)
        var widths = Array(repeating: 0, count: Self.header.count)
        for line in lines { for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return lines.map { line in
            line.enumerated().map { index, cell in
                index == line.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func cells(_ row: MeasureRow) -> [String] {
        func hours(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "-" }
        func distribution(_ d: Distribution) -> String {
            "\(hours(d.p50))/\(hours(d.p90))/\(hours(d.max)) (n=\(d.count))"
        }
        let reports = row.reportTimeliness
        let overdue = row.openOverdue
        let statuses = row.episodesByStatus.keys.sorted().map { "\($0) \(row.episodesByStatus[$0]!)" }
        return [
            row.serviceLine, row.partner ?? "(all)", String(row.episodes), distribution(row.referralTurnaround),
            distribution(row.handoffAcknowledgement),
            "\(reports.onTime)/\(reports.late)/\(reports.overdue)/\(reports.pending)",
            "\(overdue.activities)/\(overdue.reports)/\(overdue.referrals)/\(overdue.handoffs)",
            statuses.joined(separator: ", "),
        ]
    }
}
