public import CoManagement
public import Foundation

/// The outbox as the forwarder sees it; the store implements it (DESIGN.md §2 "Forward", §5, §6).
///
/// - Important: ordering per (partner, episode) is the queue's contract, not the forwarder's:
///   ``claimDue(limit:now:lease:)`` hands out only the *head* of each (partner, episode) stream — its
///   oldest row not delivered or dead-lettered — and never a stream whose head is leased. A dead-lettered
///   row stops blocking its stream (the partner then sees a gap in event numbers, which is the truth).
public protocol DeliveryQueue: Sendable {
    /// Leases up to `limit` due rows (`retry_at <= now` or never attempted, lease expired or none), at
    /// most one per (partner, episode). With PostgreSQL: `FOR UPDATE SKIP LOCKED`; with SQLite: one
    /// writer, so an `UPDATE … RETURNING` in a transaction.
    func claimDue(limit: Int, now: Date, lease: Duration) async throws -> [ClaimedDelivery]

    /// Persists one outcome and releases the lease, in one transaction: insert the attempt (if any),
    /// audit the refusal (if any), and apply the action — `markDelivered`: state delivered;
    /// `retry(after:at:)`: attempts + 1, `retry_at = at`; `deadLetter(reason)`: state dead, reason kept.
    /// A row whose lease was lost meanwhile (another replica claimed it) must be left alone.
    func complete(_ claimed: ClaimedDelivery, outcome: DeliveryOutcome) async throws
}

/// One leased outbox row with what the forwarder needs to attempt it.
public struct ClaimedDelivery: Sendable, Hashable {
    public var entry: OutboxEntry
    /// The episode as it is now, for the second consent check.
    public var episode: Episode
    /// The notification body, rendered at planning (``NotificationBuilder``) and stored with the row.
    public var body: [UInt8]
    /// Whatever identifies this lease to ``DeliveryQueue/complete(_:outcome:)`` (a lease token, a version).
    public var lease: String

    public init(entry: OutboxEntry, episode: Episode, body: [UInt8], lease: String) {
        self.entry = entry
        self.episode = episode
        self.body = body
        self.lease = lease
    }
}
