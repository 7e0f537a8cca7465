public import Foundation
public import Store

/// The outbox as the forwarder sees it (DESIGN.md §2 "Forward", §5, §6): ``OutboxQueue`` over the store's
/// outbox in `tandem serve`, a queue in memory in tests and benchmarks.
///
/// - Important: ordering per (partner, episode) is shared between the queue and the forwarder.
///   ``claimDue(limit:run:now:lease:)`` hands out the *head* of each (partner, episode) stream — its
///   oldest row not delivered or dead-lettered — and never a stream with a row leased; it may follow a
///   head, right after it, with rows after it in its stream (a *run*). The forwarder sends a run's rows
///   in order, each only once the one before was delivered, and gives back with ``release(_:)`` the rows
///   it did not attempt. A dead-lettered row stops blocking its stream (the partner then sees a gap in
///   event numbers, which is the truth).
public protocol DeliveryQueue: Sendable {
    /// Leases the heads of up to `limit` due streams (`retry_at <= now` or never attempted, lease
    /// expired or none), each followed by at most `run - 1` due rows of its stream, in order.
    func claimDue(limit: Int, run: Int, now: Date, lease: Duration) async throws -> [ClaimedDelivery]

    /// Gives back claimed rows that were not attempted: claimable again at once, no attempt counted.
    func release(_ claimed: [ClaimedDelivery]) async throws

    /// Records a run's outcomes in order, then gives back its unattempted rows: ``complete(_:outcome:)``
    /// for each, then ``release(_:)``, which is what the default does. A store may do it in one
    /// transaction.
    func record(
        _ outcomes: [(claimed: ClaimedDelivery, outcome: DeliveryOutcome)],
        releasing: [ClaimedDelivery]
    ) async throws

    /// Persists one outcome and releases the lease, in one transaction: insert the attempt (if any),
    /// audit the refusal (if any), and apply the action — `markDelivered`: state delivered;
    /// `retry(after:at:)`: attempts + 1, `retry_at = at`; `deadLetter(reason)`: state dead, reason kept.
    /// A row whose lease was lost meanwhile (another replica claimed it) must be left alone.
    func complete(_ claimed: ClaimedDelivery, outcome: DeliveryOutcome) async throws
}

extension DeliveryQueue {
    public func record(
        _ outcomes: [(claimed: ClaimedDelivery, outcome: DeliveryOutcome)],
        releasing: [ClaimedDelivery]
    ) async throws {
        for (claimed, outcome) in outcomes { try await self.complete(claimed, outcome: outcome) }
        if !releasing.isEmpty { try await self.release(releasing) }
    }
}
