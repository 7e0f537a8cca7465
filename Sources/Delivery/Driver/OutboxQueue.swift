public import Foundation
public import Store

/// The store's outbox as the forwarder's ``DeliveryQueue``, on either backend: claims, releases and
/// recordings go straight to the ``Store/OutboxStore``, each guarded by the row's ``Store/OutboxLease``.
public struct OutboxQueue: DeliveryQueue {
    public let store: any OutboxStore

    public init(store: any OutboxStore) {
        self.store = store
    }

    public func claimDue(limit: Int, run: Int, now: Date, lease: Duration) async throws -> [ClaimedDelivery] {
        try await self.store.claimOutbox(limit: limit, run: run, now: now, lease: lease)
    }

    public func release(_ claimed: [ClaimedDelivery]) async throws {
        try await self.store.releaseOutbox(claimed.map(\.lease))
    }

    public func complete(_ claimed: ClaimedDelivery, outcome: DeliveryOutcome) async throws {
        try await self.record([(claimed, outcome)], releasing: [])
    }

    /// A run's outcomes and release in one store call (one write of SQLite's writer, one PostgreSQL
    /// transaction).
    public func record(
        _ outcomes: [(claimed: ClaimedDelivery, outcome: DeliveryOutcome)],
        releasing: [ClaimedDelivery]
    ) async throws {
        let now = Date()
        try await self.store.completeOutbox(
            outcomes.map { OutboxCompletion(lease: $0.claimed.lease, outcome: $0.outcome, at: now) },
            releasing: releasing.map(\.lease)
        )
    }
}

extension OutboxCompletion {
    /// What the store records of a driver's outcome, at `now` (the time of the refusal's audit entry).
    init(lease: OutboxLease, outcome: DeliveryOutcome, at now: Date) {
        let resolution: OutboxResolution =
            switch outcome.action {
            case .markDelivered: .delivered
            case .retry(_, let at): .retry(at: at)
            case .deadLetter(let reason): .deadLetter(reason: reason.description)
            }
        self.init(
            lease: lease,
            attempt: outcome.attempt,
            resolution: resolution,
            audit: outcome.refusal.map { $0.auditEntry(at: now) }
        )
    }
}
