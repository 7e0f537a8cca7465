public import CoManagement
public import Foundation
public import Store

/// `/console/episodes/{id}`: one episode, all an operator needs to answer "what happened to this
/// patient's referral, who was told, and what is stuck": participants, referral chain, care plans with
/// their due activities, hand-offs with acknowledgements, consent, reports, and the numbered timeline with,
/// for each event, the partners told and when.
public enum EpisodePage {
    /// One delivery of one event to one partner, with when the partner took it.
    public struct Told: Sendable, Hashable {
        public var record: DeliveryRecord
        /// When the accepted attempt started; nil until delivered.
        public var deliveredAt: Date?

        public init(record: DeliveryRecord, deliveredAt: Date?) {
            self.record = record
            self.deliveredAt = deliveredAt
        }
    }

    public static func render(chrome: ConsoleChrome, episode: Episode, told: [Told]) -> HTML {
        ConsoleLayout.page(
            title: "Episode \(episode.id)",
            chrome: chrome,
            body: """
                \(Self.summary(episode))\
                \(EpisodeSections.participants(episode.participants))\
                \(EpisodeSections.referrals(episode.referrals))\
                \(EpisodeSections.carePlans(episode.carePlans))\
                \(EpisodeSections.handoffs(episode.handoffs))\
                \(EpisodeSections.consent(episode.consent))\
                \(EpisodeSections.reports(episode.reports))\
                \(Self.timeline(episode.timeline, told: told))
                """
        )
    }

    static func summary(_ episode: Episode) -> HTML {
        let identifiers = episode.patient.identifiers.map { identifier -> HTML in
            "<li><code>\(identifier.token)</code></li>"
        }
        return """
            <dl class="summary"><dt>Patient</dt><dd>\(episode.patient.name ?? "unnamed")\
            <ul class="plain">\(identifiers)</ul></dd>\
            <dt>Service line</dt><dd>\(episode.serviceLine)</dd>\
            <dt>Status</dt><dd><span class="status \(episode.status.rawValue)">\(episode.status.rawValue)</span></dd>\
            <dt>Referral accepted after</dt><dd>\(ConsoleLayout.hours(episode.measures.hoursToAcknowledgement))</dd>\
            <dt>Referral completed after</dt><dd>\(ConsoleLayout.hours(episode.measures.referralTurnaroundHours))</dd>\
            <dt>Overdue</dt><dd>\(episode.measures.overdueActivities) activities, \
            \(episode.measures.overdueReports) reports</dd></dl>
            """
    }

    /// The numbered timeline; under each event, each partner told of it: state, when, attempts, last error.
    static func timeline(_ events: [TimelineEvent], told: [Told]) -> HTML {
        let byEvent = Dictionary(grouping: told, by: { $0.record.event.number })
        let items = events.map { event -> HTML in
            let deliveries = (byEvent[event.number] ?? []).sorted { $0.record.partnerID < $1.record.partnerID }
            let toldHTML: HTML
            if deliveries.isEmpty {
                toldHTML = "<p class=\"none\">No partner was told of this event.</p>"
            } else {
                let rows = deliveries.map { told -> HTML in
                    let record = told.record
                    return """
                        <li><span class="partner">\(record.partnerID)</span> \
                        <span class="status \(record.state.rawValue)">\(record.state.rawValue)</span> \
                        \(told.deliveredAt.map { "at \(ConsoleLayout.time($0))" as HTML } ?? .empty)\
                        <span class="muted"> (event \(record.eventNumber) for the partner, \(record.attempts) \
                        attempts\(record.lastError.map { ", last: \($0)" as HTML } ?? .empty))</span></li>
                        """
                }
                toldHTML = "<ul class=\"told\" aria-label=\"Partners told\">\(rows)</ul>"
            }
            return """
                <li id="event-\(event.number)" value="\(event.number)"><p><span class="kind">\(event.kind.rawValue)</span> \
                \(ConsoleLayout.fhirTime(event.at)) \(event.summary)</p>\(toldHTML)</li>
                """
        }
        return """
            <section id="timeline" data-live aria-labelledby="timeline-title">\
            <h2 id="timeline-title">Timeline</h2><ol class="timeline">\(items)</ol></section>
            """
    }
}
