public import CoManagement

/// One change to an episode as ingest saw it: the episode after the change and the timeline events the
/// change added, in order. The input of ``DeliveryPlanner/plan(change:partners:consentDefaultPermit:lastEventNumbers:)``.
public struct EpisodeChange: Sendable, Hashable {
    /// The episode after the change (its consent, participants and service line decide the routing).
    public var episode: Episode
    /// The events this change added, oldest first.
    public var events: [TimelineEvent]

    public init(episode: Episode, events: [TimelineEvent]) {
        self.episode = episode
        self.events = events
    }
}

/// One notification a partner must receive: what the ingest transaction writes as one outbox row.
public struct PlannedDelivery: Sendable, Hashable {
    /// Stable across retries and re-planning (``DeliveryID``); partners de-duplicate on it.
    public var id: String
    public var partnerID: String
    public var episodeID: String
    /// The partner-visible event number: 1, 2, 3 … per (partner, episode), with no gaps for topics the
    /// partner does not hear, so the partner can detect a missing or repeated notification.
    public var eventNumber: Int
    /// The timeline event being announced (its own `number` counts every change to the episode).
    public var event: TimelineEvent
    /// For a deliberate re-send (`tandem redeliver`): the id of the original delivery. The re-send has an id
    /// of its own, so a partner that drops repeated ids still processes it, and announces the same
    /// ``eventNumber``; the request says so in `X-Tandem-Redelivery-Of`.
    public var redeliveryOf: String?

    public init(
        id: String,
        partnerID: String,
        episodeID: String,
        eventNumber: Int,
        event: TimelineEvent,
        redeliveryOf: String? = nil
    ) {
        self.id = id
        self.partnerID = partnerID
        self.episodeID = episodeID
        self.eventNumber = eventNumber
        self.event = event
        self.redeliveryOf = redeliveryOf
    }

    /// The delivery topic (``CoManagement/EventKind/topic``).
    public var topic: String { self.event.kind.topic }
}

/// A decision that consent does not permit a partner to hear of an episode change: audited, not sent.
public struct ConsentDecision: Sendable, Hashable {
    public var partnerID: String
    public var episodeID: String
    /// The timeline event number the refusal concerns.
    public var timelineEventNumber: Int
    /// The keys consent was asked about: the partner's represented identifiers and its participants' keys.
    public var partyKeys: [String]
    /// The episode's base consent decision at the time.
    public var consent: ConsentState.Decision
    /// The Consent resources the decision rests on (empty when the configured default decided).
    public var consentSources: [String]
    /// Why, in words, for the audit trail.
    public var reason: String

    public init(
        partnerID: String,
        episodeID: String,
        timelineEventNumber: Int,
        partyKeys: [String],
        consent: ConsentState.Decision,
        consentSources: [String],
        reason: String
    ) {
        self.partnerID = partnerID
        self.episodeID = episodeID
        self.timelineEventNumber = timelineEventNumber
        self.partyKeys = partyKeys
        self.consent = consent
        self.consentSources = consentSources
        self.reason = reason
    }
}

/// What ``DeliveryPlanner`` decided for one change: the deliveries to write and the refusals to audit.
public struct DeliveryPlan: Sendable, Hashable {
    public var deliveries: [PlannedDelivery]
    public var refusals: [ConsentDecision]

    public init(deliveries: [PlannedDelivery] = [], refusals: [ConsentDecision] = []) {
        self.deliveries = deliveries
        self.refusals = refusals
    }
}
