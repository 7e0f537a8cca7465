import CoManagement
import FHIRCore
import Foundation

/// What `tandem replay --dry-run` prints: per file the changes it made, then the episode documents.
struct ReplayReport {
    let quiet: Bool

    func skipped(_ file: String) {
        self.line("\(file): skipped (not a FHIR resource)")
    }

    func rejected(_ file: String, _ outcome: Outcome) {
        self.line("\(file): rejected")
        for issue in outcome.issues where issue.isError { self.line("  \(issue)") }
    }

    func ingested(_ file: String, sender: String?, _ outcome: Outcome, _ ingestion: Ingestion) {
        self.line("\(file)" + (sender.map { " (as \($0))" } ?? ""))
        for issue in outcome.issues + ingestion.outcome.issues where issue.severity == .warning {
            self.line("  \(issue)")
        }
        self.changes(ingestion)
    }

    func evaluated(at time: String, _ ingestion: Ingestion) {
        self.line("evaluated at \(time)")
        self.changes(ingestion)
    }

    func finish(episodes: [Episode]) {
        if !self.quiet { print("") }
        print(EpisodeDocument.encode(episodes))
    }

    private func changes(_ ingestion: Ingestion) {
        if ingestion.changes.allSatisfy({ $0.events.isEmpty }) { self.line("  no change") }
        for change in ingestion.changes where !change.events.isEmpty {
            self.line(
                "  episode \(change.episodeID) (\(change.episode.serviceLine), \(change.episode.status.rawValue))"
            )
            for event in change.events {
                self.line(
                    "    #\(event.number) \(event.kind.rawValue)\(event.at.map { " @ \($0)" } ?? ""): \(event.summary)"
                )
            }
        }
    }

    private func line(_ text: String) {
        if !self.quiet { print(text) }
    }
}
