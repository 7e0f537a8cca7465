public import CoManagement
public import FHIRCore

public import struct Foundation.Date

/// How the ingest transaction turns an episode change into outbox rows (DESIGN.md §2 "Persist").
///
/// The store calls it, inside the transaction that writes the change, for each episode change with new
/// timeline events, and writes what it returns: the rows with `INSERT OR IGNORE` on their delivery ids (a
/// delivery planned again keeps its row and the body it was first planned with), the audit entries as
/// they are. Delivery implements it (routing, consent, rendering the notification); the composition root
/// hands one to ``SQLiteStore/open(at:configuration:normaliser:outboxPlanning:logger:)`` or
/// ``PostgresStore``.
///
/// - Important: it runs inside the ingest transaction, on the store's writer (SQLite) or under the book
///   lock (PostgreSQL): it must not block, and every message waits for it.
public protocol OutboxPlanning: Sendable {
    /// What to write for one episode change.
    func plan(_ input: OutboxPlanningInput) -> OutboxPlan
}

/// One episode change as the ingest transaction hands it to ``OutboxPlanning``.
public struct OutboxPlanningInput: Sendable {
    /// The episode after the change and the timeline events it added, oldest first.
    public var change: Ingestion.EpisodeChange
    /// The resources the message created or changed, as stored (with id and `meta.versionId`).
    public var resources: [Element]
    /// Per partner id, the last partner event number already in the outbox for this episode; absent
    /// means none.
    public var lastEventNumbers: [String: Int]
    /// The ingest transaction's time.
    public var plannedAt: Date

    public init(
        change: Ingestion.EpisodeChange,
        resources: [Element] = [],
        lastEventNumbers: [String: Int] = [:],
        plannedAt: Date
    ) {
        self.change = change
        self.resources = resources
        self.lastEventNumbers = lastEventNumbers
        self.plannedAt = plannedAt
    }
}

/// What ``OutboxPlanning`` decided for one episode change: the deliveries to write as outbox rows and the
/// decisions to audit (consent refusals).
public struct OutboxPlan: Sendable, Hashable {
    /// One outbox row each, with its rendered body.
    public var deliveries: [PlannedDelivery]
    public var audits: [AuditEntry]

    public init(deliveries: [PlannedDelivery] = [], audits: [AuditEntry] = []) {
        self.deliveries = deliveries
        self.audits = audits
    }
}

extension OutboxPlanning {
    /// Plans one episode change of an ingestion, as either backend's ingest transaction does: `at` is the
    /// message's store time, `lastEventNumbers` the last event number per partner the outbox holds.
    func plan(
        _ change: Ingestion.EpisodeChange,
        resources: [Element],
        lastEventNumbers: [String: Int],
        at: Int64
    ) -> OutboxPlan {
        self.plan(
            OutboxPlanningInput(
                change: change,
                resources: resources,
                lastEventNumbers: lastEventNumbers,
                plannedAt: Date(storeMilliseconds: at)
            )
        )
    }
}
