public import Foundation

/// What the forwarder costs this store: about 42 µs of CPU per delivery on the store's threads (`tandem
/// bench delivery`'s CPU by thread, 2026-11-24: medians of 42.5 and 42.8 µs in runs of eight and three
/// rounds; single rounds from 37 to 54), most of it inside `sqlite3_step` (83% under `perf`), for what
/// every delivery must write (its lease, its outcome and attempt, their commits) and read (its row, body
/// and episode).
///
/// Tried and not kept, each measured in eight rounds of that benchmark alternating with the code as it
/// is (medians):
/// - Leases held in the forwarder's memory, not in the row: no lease write, but one forwarding process per
///   database file, and operators would no longer see rows in flight as leased. The SQLite drain took
///   178 CPU µs per delivery against 188.5 (both with the setting below).
/// - The forwarder's bookkeeping committed with `synchronous = NORMAL` (a power failure could undo its
///   last commits, which the forwarder would then redo): the store's threads took 42.0 µs per delivery
///   against 42.5, no gain for a weaker guarantee.
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
