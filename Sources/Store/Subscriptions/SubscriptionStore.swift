public import struct Foundation.Date

/// The subscriptions of partners, over REST and from the configuration (`Store` includes it).
///
/// Each subscription numbers its events with a sequence of its own, drawn inside the ingest transaction
/// that plans them: a PostgreSQL `SEQUENCE` per subscription, so messages about different patients never
/// wait for one counter; with SQLite, which has one writer anyway, a counter in the subscription's row.
public protocol SubscriptionStore: Sendable {
    /// Every subscription, or those of one partner account.
    func subscriptions(owner: String?) async throws(StoreError) -> [SubscriptionRecord]

    /// One subscription, or nil.
    func subscription(id: String) async throws(StoreError) -> SubscriptionRecord?

    /// Creates a subscription (version 1, its event sequence from 0) or updates one of the same owner
    /// (the next version; its event count goes on), in one transaction with `audit`.
    ///
    /// - Throws: ``StoreError/Code/versionConflict`` when `ifMatch` is not the current version;
    ///   ``StoreError/Code/idTaken`` when the id belongs to another partner or to the configuration.
    func saveSubscription(
        _ record: SubscriptionRecord,
        ifMatch: Int?,
        audit: AuditEntry
    ) async throws(StoreError) -> SubscriptionRecord

    /// Deletes a REST subscription of `owner` with its event sequence; its outbox rows stay for the audit
    /// trail, and those not yet sent are dead-lettered when claimed. Returns false when there was none.
    func deleteSubscription(id: String, owner: String, audit: AuditEntry) async throws(StoreError) -> Bool

    /// How many events the subscription has numbered (`events-since-subscription-start`).
    func subscriptionEventCount(id: String) async throws(StoreError) -> Int

    /// The events numbered `from` through `through` of a subscription, oldest first, at most `limit`.
    func subscriptionEvents(
        id: String,
        from: Int,
        through: Int,
        limit: Int
    ) async throws(StoreError) -> [SubscribedEvent]

    /// Leases, for `lease`, the REST subscriptions whose handshake is due (`requested`) or whose heartbeat
    /// is due (`active`, with a period), so that one replica sends each.
    func claimSubscriptionChecks(now: Date, lease: Duration) async throws(StoreError) -> [SubscriptionRecord]

    /// Records what a handshake or heartbeat found: the status, the error, and when the next heartbeat is
    /// due (nil for none). Only while the subscription is still at `version`; false otherwise (it changed
    /// meanwhile, and its new version gets its own check).
    @discardableResult
    func recordSubscriptionCheck(
        id: String,
        version: Int,
        status: String,
        error: String?,
        nextCheck: Date?,
        audit: AuditEntry?
    ) async throws(StoreError) -> Bool
}
