public import CoManagement

/// One notification a partner must receive: one outbox row.
///
/// Planning (Delivery's `DeliveryPlanner`) decides the addressing; rendering fills ``body`` once, before
/// the row is written, so every attempt sends the same bytes.
public struct PlannedDelivery: Sendable, Hashable {
    /// Stable across retries and re-planning (Delivery's `DeliveryID`); partners de-duplicate on it, and
    /// the row is inserted with `INSERT OR IGNORE` on it.
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
    /// The rendered notification, stored with the row; empty until rendered.
    public var body: [UInt8]

    public init(
        id: String,
        partnerID: String,
        episodeID: String,
        eventNumber: Int,
        event: TimelineEvent,
        redeliveryOf: String? = nil,
        body: [UInt8] = []
    ) {
        self.id = id
        self.partnerID = partnerID
        self.episodeID = episodeID
        self.eventNumber = eventNumber
        self.event = event
        self.redeliveryOf = redeliveryOf
        self.body = body
    }

    /// The delivery topic (``CoManagement/EventKind/topic``).
    public var topic: String { self.event.kind.topic }
}
