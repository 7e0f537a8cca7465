public import CoManagement

public import struct Foundation.Date

/// One leased outbox row with what the forwarder needs to attempt it (``OutboxStore/claimOutbox(limit:run:now:lease:)``).
public struct ClaimedDelivery: Sendable, Hashable {
    public var entry: OutboxEntry
    /// The episode's parties and consent as they are now, for the second consent check; nil when the
    /// episode is no longer stored.
    public var parties: EpisodeParties?
    /// What ``OutboxStore/completeOutbox(_:releasing:)`` and ``OutboxStore/releaseOutbox(_:)`` check.
    public var lease: OutboxLease

    public init(entry: OutboxEntry, parties: EpisodeParties?, lease: OutboxLease) {
        self.entry = entry
        self.parties = parties
        self.lease = lease
    }
}

/// What the forwarder knows of one claimed outbox row: the planned delivery and its progress so far.
public struct OutboxEntry: Sendable, Hashable {
    public var delivery: PlannedDelivery
    /// When the row's retry budget began: its planning, or an operator's retry of it since
    /// (``DeliveryAdministration/retry(_:by:now:)``); the retry policy's maximum age counts from here.
    public var createdAt: Date
    /// Attempts whose outcome was recorded since ``createdAt`` (the whole history stays in the store). An
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

/// A leased outbox row as its claimant names it: the row's key and the claim's lease token.
public struct OutboxLease: Sendable, Hashable {
    /// The outbox row's key.
    public var id: Int64
    public var token: String

    public init(id: Int64, token: String) {
        self.id = id
        self.token = token
    }
}
