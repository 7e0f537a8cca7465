public import Foundation
public import ServiceLifecycle

/// A ``Store`` that also holds the delivery outbox: what the forwarder drains, on either backend.
///
/// Claims hand out the head of each (partner, episode) stream only, under a lease, so however many
/// forwarders (processes or replicas) drain one database, at most one row of a stream is in flight and
/// per-stream order holds. A claimant that dies loses nothing: its rows are claimable again once the
/// lease has passed.
///
/// Every outbox store is also a ``DeliveryAdministration``: `tandem deliveries` and `tandem redeliver` open
/// whichever store the configuration's URL names and get both from one `any OutboxStore`, and a backend
/// cannot be added that the operators' tools do not work on.
public protocol OutboxStore: Store, Service, DeliveryAdministration {
    /// Leases up to `limit` due outbox rows, at most one per (partner, episode): the head of each stream.
    /// A leased row not completed (a crash) is claimable again once `lease` has passed.
    func claimOutbox(limit: Int, now: Date, lease: Duration) async throws(StoreError) -> [ClaimedOutboxRow]

    /// Records the outcome of a claimed row in one transaction, guarded by its lease token: the attempt
    /// (if any), the resolution and the audit entry (if any). Returns false, writing nothing, when the
    /// lease was lost meanwhile.
    @discardableResult
    func completeOutbox(
        id: Int64,
        leaseToken token: String,
        attempt: OutboxAttempt?,
        resolution: OutboxResolution,
        audit: AuditEntry?
    ) async throws(StoreError) -> Bool
}

extension Duration {
    /// Whole milliseconds, the store's time unit.
    var storeMilliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
