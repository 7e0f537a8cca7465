public import CoManagement

public import struct Foundation.Date

/// Where a delivery stands in the outbox.
public enum DeliveryState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for its first attempt, or for its next one after a failure.
    case pending
    /// Claimed by a forwarder; an attempt is in flight.
    case leased
    case delivered
    /// Dead-lettered: refused by the partner, out of attempts or age, or consent revoked.
    case dead
}

/// One outbox row as an operator sees it.
public struct DeliveryRecord: Sendable, Hashable {
    /// The outbox row number (what `tandem deliveries show` also accepts).
    public var row: Int64
    public var deliveryID: String
    public var partnerID: String
    public var episodeID: String
    /// The partner-visible event number.
    public var eventNumber: Int
    /// The timeline event announced.
    public var event: TimelineEvent
    public var state: DeliveryState
    /// Attempts recorded (sent, with an answer or a transport error), over the row's whole life.
    public var attempts: Int
    /// When the next attempt is due (pending rows).
    public var nextAttemptAt: Date
    /// When the row was planned.
    public var createdAt: Date
    /// When an operator last retried or requeued it.
    public var requeuedAt: Date?
    /// The last failure, or the dead-letter reason.
    public var lastError: String?
    /// For a redelivery: the delivery id of the original row.
    public var redeliveryOf: String?

    public init(
        row: Int64,
        deliveryID: String,
        partnerID: String,
        episodeID: String,
        eventNumber: Int,
        event: TimelineEvent,
        state: DeliveryState,
        attempts: Int,
        nextAttemptAt: Date,
        createdAt: Date,
        requeuedAt: Date? = nil,
        lastError: String? = nil,
        redeliveryOf: String? = nil
    ) {
        self.row = row
        self.deliveryID = deliveryID
        self.partnerID = partnerID
        self.episodeID = episodeID
        self.eventNumber = eventNumber
        self.event = event
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.requeuedAt = requeuedAt
        self.lastError = lastError
        self.redeliveryOf = redeliveryOf
    }
}

/// One delivery with what `tandem deliveries show` prints: the body sent and every attempt.
public struct DeliveryDetail: Sendable, Hashable {
    public var record: DeliveryRecord
    /// The rendered notification, identical on every attempt.
    public var body: [UInt8]
    /// Every recorded attempt, oldest first.
    public var attempts: [DeliveryAttempt]

    public init(record: DeliveryRecord, body: [UInt8], attempts: [DeliveryAttempt]) {
        self.record = record
        self.body = body
        self.attempts = attempts
    }
}
