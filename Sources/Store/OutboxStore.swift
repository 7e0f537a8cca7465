public import Foundation
public import ServiceLifecycle

/// A ``Store`` that also holds the delivery outbox: what the forwarder drains, on either backend.
///
/// Claims hand out the head of each (partner, episode) stream, under a lease, and never a stream with a
/// row leased, so however many forwarders (processes or replicas) drain one database, only one of them
/// sends a stream's rows, one at a time, in order. A claimant that dies loses nothing: its rows are
/// claimable again once the lease has passed.
///
/// Every outbox store is also a ``DeliveryAdministration``: `tandem deliveries` and `tandem redeliver` open
/// whichever store the configuration's URL names and get both from one `any OutboxStore`, and a backend
/// cannot be added that the operators' tools do not work on.
public protocol OutboxStore: Store, Service, DeliveryAdministration, ConsoleStore {
    /// Leases the heads of up to `limit` due (partner, episode) streams. A leased row not completed (a
    /// crash) is claimable again once `lease` has passed.
    ///
    /// With `run` above 1, a backend may follow each head, right after it in the result, with up to
    /// `run - 1` of the due rows after it in its stream, in order and leased with it: a *run*. Its
    /// claimant sends them one after the other, each only once the one before was delivered, and gives
    /// back with ``releaseOutbox(_:)`` those it does not attempt. A partner then hears an episode's next
    /// event one round trip after the last, not one claim and one commit later. Both backends do.
    func claimOutbox(limit: Int, run: Int, now: Date, lease: Duration) async throws(StoreError) -> [ClaimedDelivery]

    /// Gives back claimed rows that were not attempted (the rest of a run that stopped), guarded by their
    /// lease tokens: claimable again at once, no attempt counted. Rows whose lease was lost are left alone.
    func releaseOutbox(_ leases: [OutboxLease]) async throws(StoreError)

    /// Records outcomes, in order, and gives back unattempted rows: what
    /// ``completeOutbox(_:attempt:resolution:audit:)`` and ``releaseOutbox(_:)`` do, row by
    /// row, each guarded by its lease. The forwarder records every run finished since its last recording
    /// in one call; SQLite does it in one write of its single writer and PostgreSQL in one transaction,
    /// so a recording costs one commit, not one per row.
    func completeOutbox(_ completions: [OutboxCompletion], releasing leases: [OutboxLease]) async throws(StoreError)

    /// Records the outcome of a claimed row in one transaction, guarded by its lease: the attempt
    /// (if any), the resolution and the audit entry (if any). Returns false, writing nothing, when the
    /// lease was lost meanwhile.
    @discardableResult
    func completeOutbox(
        _ lease: OutboxLease,
        attempt: DeliveryAttempt?,
        resolution: OutboxResolution,
        audit: AuditEntry?
    ) async throws(StoreError) -> Bool

    /// Per subscription with rows outstanding or dead: the outbox's depth, the oldest due row, the dead
    /// letters (for monitoring).
    func outboxStatistics(now: Date) async throws(StoreError) -> [OutboxStatistics]

    /// How replicas sharing this store elect the one that claims; nil where one process owns the store.
    var forwarderElection: (any ForwarderElection)? { get }
}

extension OutboxStore {
    public var forwarderElection: (any ForwarderElection)? { nil }

    /// One transaction per row, in order, then the release.
    public func completeOutbox(
        _ completions: [OutboxCompletion],
        releasing leases: [OutboxLease]
    ) async throws(StoreError) {
        for completion in completions {
            try await self.completeOutbox(
                completion.lease,
                attempt: completion.attempt,
                resolution: completion.resolution,
                audit: completion.audit
            )
        }
        try await self.releaseOutbox(leases)
    }

    /// Leases the heads of up to `limit` due streams, one row per stream (no runs).
    public func claimOutbox(limit: Int, now: Date, lease: Duration) async throws(StoreError) -> [ClaimedDelivery] {
        try await self.claimOutbox(limit: limit, run: 1, now: now, lease: lease)
    }
}

extension Duration {
    /// Whole milliseconds, the store's time unit.
    var storeMilliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
