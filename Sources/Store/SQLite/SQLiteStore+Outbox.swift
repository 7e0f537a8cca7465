public import Foundation

extension SQLiteStore {
    /// Leases up to `limit` due outbox rows, at most one per (partner, episode): the head of each stream.
    /// A leased row not completed (a crash) is claimable again once `lease` has passed.
    public func claimOutbox(limit: Int, now: Date, lease: Duration) async throws(StoreError) -> [ClaimedOutboxRow] {
        let (seconds, attoseconds) = lease.components
        let leaseMilliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let nowMilliseconds = now.storeMilliseconds
        return try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.claimOutbox(limit: limit, now: nowMilliseconds, leaseMilliseconds: leaseMilliseconds)
        }
    }

    /// Records the outcome of a claimed row in one transaction, guarded by its lease token: the attempt
    /// (if any), the resolution and the audit entry (if any). Returns false, writing nothing, when the
    /// lease was lost meanwhile.
    @discardableResult
    public func completeOutbox(
        id: Int64,
        leaseToken token: String,
        attempt: OutboxAttempt?,
        resolution: OutboxResolution,
        audit: AuditEntry?
    ) async throws(StoreError) -> Bool {
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.completeOutbox(id, leaseToken: token, attempt: attempt, resolution: resolution, audit: audit)
        }
    }
}
