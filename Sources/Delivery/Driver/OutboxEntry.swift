public import Foundation

/// What the forwarder knows of one claimed outbox row: the planned delivery and its progress so far.
///
/// The store fills it from the row (see ``DeliveryDriver``); nothing here is read back from the partner.
public struct OutboxEntry: Sendable, Hashable {
    public var delivery: PlannedDelivery
    /// When the delivery was planned (the ingest transaction's time); the retry policy's age counts from here.
    public var createdAt: Date
    /// Attempts whose outcome was recorded (``DeliveryQueue/complete(_:outcome:)`` adds one per retry). An
    /// attempt cut short by a crash is not counted, so a crash costs at most one extra attempt.
    public var attemptsMade: Int
    /// When the next attempt was due, for a row that has failed before.
    public var retryAt: Date?

    public init(delivery: PlannedDelivery, createdAt: Date, attemptsMade: Int = 0, retryAt: Date? = nil) {
        self.delivery = delivery
        self.createdAt = createdAt
        self.attemptsMade = attemptsMade
        self.retryAt = retryAt
    }
}

/// One attempt as the store records it (DESIGN.md §2 "records each attempt"): what was sent, what came back.
public struct DeliveryAttempt: Sendable, Hashable {
    public var deliveryID: String
    public var partnerID: String
    /// From 1.
    public var number: Int
    public var startedAt: Date
    /// The HTTP status, when there was a response.
    public var status: Int?
    /// The transport error, when there was none.
    public var error: TransportError?
    /// The first bytes of the response body.
    public var excerpt: [UInt8]
    public var duration: Duration
    public var httpVersion: String?

    public init(
        deliveryID: String,
        partnerID: String,
        number: Int,
        startedAt: Date,
        status: Int?,
        error: TransportError?,
        excerpt: [UInt8],
        duration: Duration,
        httpVersion: String?
    ) {
        self.deliveryID = deliveryID
        self.partnerID = partnerID
        self.number = number
        self.startedAt = startedAt
        self.status = status
        self.error = error
        self.excerpt = excerpt
        self.duration = duration
        self.httpVersion = httpVersion
    }
}

/// What became of one claimed row: the store applies ``action`` to the row in the same transaction that
/// inserts ``attempt`` and audits ``refusal``.
public struct DeliveryOutcome: Sendable, Hashable {
    /// ``DeliveryStateMachine/Action/markDelivered``, ``DeliveryStateMachine/Action/retry(after:at:)`` or
    /// ``DeliveryStateMachine/Action/deadLetter(_:)``; never `send`.
    public var action: DeliveryStateMachine.Action
    /// Nil when nothing was sent (consent revoked, too old, no attempts left).
    public var attempt: DeliveryAttempt?
    /// The consent refusal to audit, when the second consent check failed.
    public var refusal: ConsentDecision?

    public init(action: DeliveryStateMachine.Action, attempt: DeliveryAttempt?, refusal: ConsentDecision?) {
        self.action = action
        self.attempt = attempt
        self.refusal = refusal
    }
}
