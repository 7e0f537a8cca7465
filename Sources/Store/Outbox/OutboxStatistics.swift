public import struct Foundation.Date

/// What monitoring sees of one subscription's outbox (`GET /metrics`): how many deliveries wait, how long
/// the oldest due one has waited, and how many were dead-lettered.
public struct OutboxStatistics: Sendable, Hashable {
    /// The outbox's `partner` column: a configured partner's id or a REST Subscription's id.
    public var subscription: String
    /// The partner account the subscription belongs to.
    public var partner: String
    /// Rows pending or leased.
    public var depth: Int
    /// When the oldest row that is due (pending, its attempt time passed) became due; nil when none is.
    public var oldestDue: Date?
    /// Rows dead-lettered and not requeued.
    public var dead: Int

    public init(subscription: String, partner: String, depth: Int, oldestDue: Date?, dead: Int) {
        self.subscription = subscription
        self.partner = partner
        self.depth = depth
        self.oldestDue = oldestDue
        self.dead = dead
    }
}
