public import Foundation

/// The outbox on SQLite: claims and recordings are writes of the single writer, queued with the ingest
/// groups; the claimed rows are read on a reader. Measurements: docs/performance.md, "Outbox and delivery".
extension SQLiteStore: OutboxStore {
    /// Leases the heads of due streams, each with its run, in one write of the single writer, then reads
    /// the leased rows on a reader (see ``OutboxStore``).
    public func claimOutbox(
        limit: Int,
        run: Int,
        now: Date,
        lease: Duration
    ) async throws(StoreError) -> [ClaimedDelivery] {
        let leaseMilliseconds = lease.storeMilliseconds
        let nowMilliseconds = now.storeMilliseconds
        let claim = try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.leaseDueOutbox(
                limit: limit,
                run: run,
                now: nowMilliseconds,
                leaseMilliseconds: leaseMilliseconds
            )
        }
        guard !claim.ids.isEmpty else { return [] }
        // The rows, bodies and episode documents are read, and the events decoded, on a reader thread: not
        // in the writer, which every ingest waits for, nor on the cooperative pool.
        return try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.claimedDeliveries(claim)
        }
    }

    /// Records a run's outcomes and gives back its unattempted rows in one write of the single writer
    /// (see ``OutboxStore``).
    public func completeOutbox(
        _ completions: [OutboxCompletion],
        releasing leases: [OutboxLease]
    ) async throws(StoreError) {
        guard !completions.isEmpty || !leases.isEmpty else { return }
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            for completion in completions {
                _ = try connection.completeOutbox(
                    completion.lease,
                    attempt: completion.attempt,
                    resolution: completion.resolution,
                    audit: completion.audit
                )
            }
            try connection.releaseOutbox(leases)
        }
    }

    /// Gives back unattempted claimed rows in one write of the single writer (see ``OutboxStore``).
    public func releaseOutbox(_ leases: [OutboxLease]) async throws(StoreError) {
        guard !leases.isEmpty else { return }
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.releaseOutbox(leases)
        }
    }

    /// Records the outcome of a claimed row in one write of the single writer (see ``OutboxStore``).
    @discardableResult
    public func completeOutbox(
        _ lease: OutboxLease,
        attempt: DeliveryAttempt?,
        resolution: OutboxResolution,
        audit: AuditEntry?
    ) async throws(StoreError) -> Bool {
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.completeOutbox(lease, attempt: attempt, resolution: resolution, audit: audit)
        }
    }
}

extension SQLiteStore {
    /// Read on a reader: monitoring never waits for the writer.
    public func outboxStatistics(now: Date) async throws(StoreError) -> [OutboxStatistics] {
        let milliseconds = now.storeMilliseconds
        return try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.outboxStatistics(now: milliseconds)
        }
    }
}
