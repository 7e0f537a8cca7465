public import Foundation
import PostgresNIO

extension PostgresStore {
    /// Leases the heads of due streams, each with its run, in one statement (see
    /// ``PostgresSession/claimOutbox(limit:run:now:leaseMilliseconds:)`` and ``OutboxStore``).
    public func claimOutbox(
        limit: Int,
        run: Int,
        now: Date,
        lease: Duration
    ) async throws(StoreError) -> [ClaimedDelivery] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.claimOutbox(
                limit: limit,
                run: run,
                now: now.storeMilliseconds,
                leaseMilliseconds: lease.storeMilliseconds
            )
        }
    }

    /// Gives back unattempted claimed rows, each guarded by its lease token (see ``OutboxStore``).
    public func releaseOutbox(_ leases: [OutboxLease]) async throws(StoreError) {
        guard !leases.isEmpty else { return }
        try await self.withSession { (session) throws(StoreError) in
            try await session.releaseOutbox(leases)
        }
    }

    /// Records outcomes in order and gives back unattempted rows, each row locked and its lease token
    /// checked (see ``OutboxStore``): the forwarder records every run finished since its last recording
    /// at once, in one statement, so one commit and one round trip, not one per row.
    public func completeOutbox(
        _ completions: [OutboxCompletion],
        releasing leases: [OutboxLease]
    ) async throws(StoreError) {
        guard !completions.isEmpty || !leases.isEmpty else { return }
        _ = try await self.withSession { (session) throws(StoreError) in
            try await session.completeOutbox(completions, releasing: leases)
        }
    }

    /// Records the outcome of a claimed row, first locking the row and checking the lease token (see
    /// ``OutboxStore``).
    @discardableResult
    public func completeOutbox(
        _ lease: OutboxLease,
        attempt: DeliveryAttempt?,
        resolution: OutboxResolution,
        audit: AuditEntry?
    ) async throws(StoreError) -> Bool {
        let completion = OutboxCompletion(lease: lease, attempt: attempt, resolution: resolution, audit: audit)
        return try await self.withSession { (session) throws(StoreError) in
            try await session.completeOutbox([completion], releasing: []).contains(lease.id)
        }
    }
}
