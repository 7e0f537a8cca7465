import CoManagement
import Foundation
import Store

/// What `tandem replay --dry-run` prints: per file the gateway's answer, the changes it made and the
/// deliveries they planned, then the episode documents.
struct ReplayReport {
    let quiet: Bool

    func skipped(_ file: String) {
        self.line("\(file): skipped (not a FHIR resource)")
    }

    func posted(_ file: String, sender: String, _ step: DryRun.Step) {
        let request = step.target.map { "\($0.method) \($0.path.isEmpty ? "/" : $0.path)" } ?? ""
        let status = step.status.map(String.init) ?? ""
        if step.succeeded {
            self.line("\(file) (as \(sender)): \(request) \(status)")
            for warning in OutcomeSummary.warnings(in: step.body) { self.line("  \(warning)") }
        } else {
            self.line("\(file) (as \(sender)): \(request) \(status) REFUSED: \(OutcomeSummary.line(for: step.body))")
        }
        self.changes(step)
    }

    func evaluated(at time: String, _ step: DryRun.Step) {
        self.line("evaluated at \(time)")
        self.changes(step)
    }

    func finish(episodes: [Episode], partners: Int) {
        if partners == 0 { self.line("no partners configured: no deliveries planned") }
        if !self.quiet { print("") }
        print(EpisodeDocument.encode(episodes))
    }

    private func changes(_ step: DryRun.Step) {
        if step.changes.isEmpty { self.line("  no change") }
        for (episode, events) in step.changes {
            self.line("  episode \(episode.id) (\(episode.serviceLine), \(episode.status.rawValue))")
            for event in events {
                self.line(
                    "    #\(event.number) \(event.kind.rawValue)\(event.at.map { " @ \($0)" } ?? ""): \(event.summary)"
                )
            }
        }
        // One line per planned delivery (partner, episode, the partner's event number, the timeline event
        // and its topic) and per consent refusal.
        for delivery in step.deliveries {
            self.line(
                "  deliver to \(delivery.partnerID): episode \(delivery.episodeID) event \(delivery.eventNumber)"
                    + " (timeline #\(delivery.event.number) \(delivery.event.kind.rawValue), topic \(delivery.event.kind.topic))"
            )
        }
        for refusal in step.refusals {
            self.line("  consent refuses: \(refusal.detail ?? "")")
        }
    }

    private func line(_ text: String) {
        if !self.quiet { print(text) }
    }
}
