public import CoManagement
public import Foundation
import Store

/// Decides which subscriptions hear of an episode change. Pure: values in, a ``DeliveryPlan`` out.
///
/// A subscription hears of an event only if all of these hold:
/// 1. its partner takes part in the episode — one of its ``Partner/represents`` entries equals a
///    participant's key, its party's reference, or one of its party's identifier tokens — or it is
///    configured for the episode's whole service line (``Partner/serviceLines``);
/// 2. it subscribes to the event's topic (``Partner/subscribes(to:)``), its filter admits the episode
///    (``Partner/filter``), it has not ended (``Partner/end``), and, for an event with an
///    ``CoManagement/TimelineEvent/audience``, its partner represents one of the participants named there;
/// 3. consent permits it (``CoManagement/ConsentState/permits(_:defaultPermit:)``), asked with the
///    partner's represented identifiers and the keys of the participants it matched.
///
/// A subscription failing 1 or 2 is simply not addressed; one failing only 3 yields a
/// ``ConsentDecision`` to audit. The deliveries carry no event numbers yet: the store draws them from each
/// subscription's sequence in the ingest transaction.
public enum DeliveryPlanner {
    /// Plans the deliveries for one change.
    /// - Parameters:
    ///   - consentDefaultPermit: the gateway's decision when no Consent applies.
    ///   - plannedAt: when the change is planned; subscriptions that ended before it hear nothing.
    public static func plan(
        change: Ingestion.EpisodeChange,
        partners: [Partner],
        consentDefaultPermit: Bool,
        plannedAt: Date? = nil
    ) -> DeliveryPlan {
        var plan = DeliveryPlan()
        let parties = change.episode.parties
        for partner in partners {
            guard self.addresses(partner, in: parties), partner.filter.admits(change.episode) else { continue }
            if let end = partner.end, let plannedAt, plannedAt > end { continue }
            for event in change.events
            where partner.subscribes(to: event.kind.topic) && self.hears(partner, event, in: parties) {
                if let refusal = self.refusal(
                    of: partner,
                    in: parties,
                    eventNumber: event.number,
                    defaultPermit: consentDefaultPermit
                ) {
                    plan.refusals.append(refusal)
                    continue
                }
                plan.deliveries.append(
                    PlannedDelivery(
                        id: DeliveryID.make(partnerID: partner.id, episodeID: parties.id, timelineEvent: event.number),
                        partnerID: partner.id,
                        episodeID: parties.id,
                        eventNumber: 0,
                        event: event
                    )
                )
            }
        }
        return plan
    }

    /// The second consent check, just before sending: nil when consent still permits the partner to
    /// hear of the episode, else the refusal to audit (and ``DeliveryStateMachine/consentRevoked()``).
    public static func recheckConsent(
        partner: Partner,
        parties: EpisodeParties,
        timelineEventNumber: Int,
        consentDefaultPermit: Bool
    ) -> ConsentDecision? {
        self.refusal(
            of: partner,
            in: parties,
            eventNumber: timelineEventNumber,
            defaultPermit: consentDefaultPermit
        )
    }

    /// Whether a partner hears of an episode at all: it represents one of its participants, or it is
    /// configured for the episode's service line.
    static func addresses(_ partner: Partner, in episode: EpisodeParties) -> Bool {
        partner.serviceLines.contains(episode.serviceLine)
            || !episode.participantKeys(representedBy: Set(partner.represents)).isEmpty
    }

    /// Whether a partner is among an event's audience: every addressed partner when the event names none,
    /// else only one representing a participant it names (a hand-off Task's owner, an escalation's
    /// requester), never one that watches the whole service line.
    static func hears(_ partner: Partner, _ event: TimelineEvent, in episode: EpisodeParties) -> Bool {
        guard let audience = event.audience else { return true }
        return !Set(episode.participantKeys(representedBy: Set(partner.represents))).isDisjoint(with: audience)
    }

    private static func refusal(
        of partner: Partner,
        in episode: EpisodeParties,
        eventNumber: Int,
        defaultPermit: Bool
    ) -> ConsentDecision? {
        // Sorted and de-duplicated so the audited decision is the same whatever order configuration took.
        let keys = episode.consentKeys(representing: Set(partner.represents))
        let consent = episode.consent
        guard !consent.permits(keys, defaultPermit: defaultPermit) else { return nil }
        let reason: String
        if let denied = keys.first(where: consent.deniedParties.contains) {
            reason = "A Consent provision denies \(denied)"
        } else if consent.decision == .noConsent {
            reason = "No Consent applies and the configured default is to deny"
        } else {
            reason = "The Consent denies sharing and permits none of the partner's parties"
        }
        return ConsentDecision(
            partnerID: partner.id,
            episodeID: episode.id,
            timelineEventNumber: eventNumber,
            partyKeys: keys,
            consent: consent.decision,
            consentSources: consent.sources,
            reason: reason
        )
    }
}
