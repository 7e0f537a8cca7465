public import CoManagement

public import struct Foundation.Date

/// One subscription as the store keeps it: a partner's topic-based `Subscription` made over REST, or a
/// partner of the configuration, whose subscription the configuration owns. Its events are numbered by
/// a sequence of its own (``SubscriptionStore/subscriptionEventCount(id:)``).
///
/// The store does not read FHIR: the server reads the resource and hands over what the store needs
/// (status, heartbeat period) beside its JSON.
public struct SubscriptionRecord: Sendable, Hashable {
    public enum Origin: String, Sendable, Hashable {
        /// A partner of the configuration (its id is the partner's).
        case configuration
        /// A `Subscription` a partner created with `POST` or `PUT`.
        case rest
    }

    /// The Subscription's id; for the configuration's, the partner's id.
    public var id: String
    /// The partner account it belongs to.
    public var owner: String
    public var origin: Origin
    /// `requested`, `active`, `error` or `off`.
    public var status: String
    public var version: Int
    public var lastUpdated: Date
    /// The Subscription resource as JSON without `id` and `meta` (REST); empty for the configuration's.
    public var resource: [UInt8]
    /// Why the subscription is in `error`.
    public var error: String?
    /// Seconds between heartbeats; nil sends none.
    public var heartbeatPeriod: Int?

    public init(
        id: String,
        owner: String,
        origin: Origin,
        status: String,
        version: Int = 1,
        lastUpdated: Date,
        resource: [UInt8] = [],
        error: String? = nil,
        heartbeatPeriod: Int? = nil
    ) {
        self.id = id
        self.owner = owner
        self.origin = origin
        self.status = status
        self.version = version
        self.lastUpdated = lastUpdated
        self.resource = resource
        self.error = error
        self.heartbeatPeriod = heartbeatPeriod
    }
}

/// One event a subscription was told of (or is due to be), as `$events` returns it: its number, the
/// episode and timeline event, and the notification rendered for it.
public struct SubscribedEvent: Sendable, Hashable {
    public var eventNumber: Int
    public var episodeID: String
    public var event: TimelineEvent
    /// The notification body as planned (in the subscription's format).
    public var body: [UInt8]
    public var plannedAt: Date
    /// The episode's parties and consent as they are now; nil when the episode is no longer stored.
    public var parties: EpisodeParties?

    public init(
        eventNumber: Int,
        episodeID: String,
        event: TimelineEvent,
        body: [UInt8],
        plannedAt: Date,
        parties: EpisodeParties?
    ) {
        self.eventNumber = eventNumber
        self.episodeID = episodeID
        self.event = event
        self.body = body
        self.plannedAt = plannedAt
        self.parties = parties
    }
}
