public import Foundation
import PostgresNIO

extension PostgresStore {
    /// Leases the heads of due streams in one statement (see ``PostgresSession/claimOutbox(limit:now:leaseMilliseconds:)``);
    /// heads only, whatever `run` asks (see ``OutboxStore``).
    public func claimOutbox(
        limit: Int,
        run: Int,
        now: Date,
        lease: Duration
    ) async throws(StoreError) -> [ClaimedDelivery] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.claimOutbox(
                limit: limit,
                now: now.storeMilliseconds,
                leaseMilliseconds: lease.storeMilliseconds
            )
        }
    }

    /// Gives back unattempted claimed rows, each guarded by its lease token (see ``OutboxStore``).
    public func releaseOutbox(_ leases: [OutboxLease]) async throws(StoreError) {
        guard !leases.isEmpty else { return }
        try await self.withTransaction { (session) throws(StoreError) in
            try await session.releaseOutbox(leases)
        }
    }

    /// Records outcomes in order and gives back unattempted rows in one transaction, each row locked and
    /// its lease token checked (see ``OutboxStore``): the forwarder records every run finished since its
    /// last recording at once, so one commit, not one per row.
    public func completeOutbox(
        _ completions: [OutboxCompletion],
        releasing leases: [OutboxLease]
    ) async throws(StoreError) {
        guard !completions.isEmpty || !leases.isEmpty else { return }
        try await self.withTransaction { (session) throws(StoreError) in
            for completion in completions {
                _ = try await session.completeOutbox(
                    completion.lease,
                    attempt: completion.attempt,
                    resolution: completion.resolution,
                    audit: completion.audit
                )
            }
            try await session.releaseOutbox(leases)
        }
    }

    /// Records the outcome of a claimed row in one transaction that first locks the row and checks the
    /// lease token (see ``OutboxStore``).
    @discardableResult
    public func completeOutbox(
        _ lease: OutboxLease,
        attempt: DeliveryAttempt?,
        resolution: OutboxResolution,
        audit: AuditEntry?
    ) async throws(StoreError) -> Bool {
        try await self.withTransaction { (session) throws(StoreError) -> Bool in
            try await session.completeOutbox(
                lease,
                attempt: attempt,
                resolution: resolution,
                audit: audit
            )
        }
    }
}
