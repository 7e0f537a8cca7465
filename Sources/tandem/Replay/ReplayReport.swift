import CoManagement
import Delivery
import FHIRCore
import Foundation
import Store

/// What `tandem replay --dry-run` prints: per file the changes it made and the deliveries they would
/// cause, then the episode documents.
struct ReplayReport {
    let quiet: Bool

    func skipped(_ file: String) {
        self.line("\(file): skipped (not a FHIR resource)")
    }

    func rejected(_ file: String, _ outcome: Outcome) {
        self.line("\(file): rejected")
        for issue in outcome.issues where issue.isError { self.line("  \(issue)") }
    }

    func ingested(
        _ file: String,
        sender: String?,
        _ outcome: Outcome,
        _ ingestion: Ingestion,
        deliveries: [DeliveryPlan]
    ) {
        self.line("\(file)" + (sender.map { " (as \($0))" } ?? ""))
        for issue in outcome.issues + ingestion.outcome.issues where issue.severity == .warning {
            self.line("  \(issue)")
        }
        self.changes(ingestion)
        self.deliveries(deliveries)
    }

    func evaluated(at time: String, _ ingestion: Ingestion, deliveries: [DeliveryPlan]) {
        self.line("evaluated at \(time)")
        self.changes(ingestion)
        self.deliveries(deliveries)
    }

    func finish(episodes: [Episode], partners: Int) {
        if partners == 0 { self.line("no partners configured: no deliveries planned") }
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

    /// One line per planned delivery (partner, episode, the partner's event number, the timeline event
    /// and its topic) and per consent refusal.
    private func deliveries(_ plans: [DeliveryPlan]) {
        for plan in plans {
            for delivery in plan.deliveries {
                self.line(
                    "  deliver to \(delivery.partnerID): episode \(delivery.episodeID) event \(delivery.eventNumber)"
                        + " (timeline #\(delivery.event.number) \(delivery.event.kind.rawValue), topic \(delivery.topic))"
                )
            }
            for refusal in plan.refusals {
                self.line(
                    "  consent refuses \(refusal.partnerID): episode \(refusal.episodeID) timeline"
                        + " #\(refusal.timelineEventNumber): \(refusal.reason)"
                )
            }
        }
    }

    private func line(_ text: String) {
        if !self.quiet { print(text) }
    }
}
