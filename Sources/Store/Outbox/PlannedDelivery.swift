public import CoManagement

/// One notification a partner must receive: one outbox row.
///
/// Planning (Delivery's `DeliveryPlanner`) decides the addressing; rendering fills ``body`` once, before
/// the row is written, so every attempt sends the same bytes.
public struct PlannedDelivery: Sendable, Hashable {
    /// Stable across retries and re-planning (Delivery's `DeliveryID`); partners de-duplicate on it, and
    /// the row is inserted with `INSERT OR IGNORE` on it.
    public var id: String
    /// The subscription the delivery is for (the outbox's `partner` column): a configured partner's id, or
    /// the id of a Subscription a partner made over REST.
    public var partnerID: String
    public var episodeID: String
    /// The subscription's event number (the Backport IG's `eventNumber`): 1, 2, 3 … per subscription
    /// across all its episodes, drawn from the subscription's sequence by the store when it writes the row
    /// (0 until then). Within one episode the numbers rise in the order of its events; across episodes
    /// notifications may arrive out of order, and a number a rolled-back transaction drew is never used.
    public var eventNumber: Int
    /// The timeline event being announced (its own `number` counts every change to the episode).
    public var event: TimelineEvent
    /// For a deliberate re-send (`tandem redeliver`): the id of the original delivery. The re-send has an id
    /// of its own, so a partner that drops repeated ids still processes it, and announces the same
    /// ``eventNumber``; the request says so in `X-Tandem-Redelivery-Of`.
    public var redeliveryOf: String?
    /// The rendered notification, stored with the row; empty until rendered.
    public var body: [UInt8]
    /// The W3C `traceparent` of the request that caused the event, so the notification continues its
    /// trace; nil for events no request caused (evaluations).
    public var traceparent: String?

    public init(
        id: String,
        partnerID: String,
        episodeID: String,
        eventNumber: Int,
        event: TimelineEvent,
        redeliveryOf: String? = nil,
        body: [UInt8] = [],
        traceparent: String? = nil
    ) {
        self.id = id
        self.partnerID = partnerID
        self.episodeID = episodeID
        self.eventNumber = eventNumber
        self.event = event
        self.redeliveryOf = redeliveryOf
        self.body = body
        self.traceparent = traceparent
    }

    /// The delivery topic (``CoManagement/EventKind/topic``).
    public var topic: String { self.event.kind.topic }
}
