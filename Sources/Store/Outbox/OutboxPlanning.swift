public import CoManagement
public import FHIRCore

public import struct Foundation.Date

/// How the ingest transaction turns an episode change into outbox rows (DESIGN.md §2 "Persist").
///
/// The store calls it, inside the transaction that writes the change, for each episode change with new
/// timeline events. ``plan(_:)`` decides who hears of it; the store then numbers each delivery from its
/// subscription's sequence (``PlannedDelivery/eventNumber``), has ``render(_:input:)`` write its body,
/// and writes the rows with `INSERT OR IGNORE` on their delivery ids (a delivery planned again keeps its
/// row, number and body) and the audit entries as they are. Delivery implements it (routing, consent,
/// rendering the notification); the composition root hands one to
/// ``SQLiteStore/open(at:configuration:normaliser:outboxPlanning:logger:)`` or ``PostgresStore``.
///
/// - Important: it runs inside the ingest transaction, on the store's writer (SQLite) or with the
///   message's partitions locked (PostgreSQL): it must not block, and every message waits for it.
public protocol OutboxPlanning: Sendable {
    /// Who hears of one episode change: deliveries without event numbers or bodies yet, and the decisions
    /// to audit.
    func plan(_ input: OutboxPlanningInput) -> OutboxPlan

    /// The body of a delivery ``plan(_:)`` returned, once the store has numbered it.
    func render(_ delivery: PlannedDelivery, input: OutboxPlanningInput) -> [UInt8]

    /// The subscriptions the configuration owns (its partners' ids): the store gives each its row and
    /// event sequence when it opens, keeping any count it already has.
    var configuredSubscriptions: [String] { get }

    /// Rows ``plan(_:)`` returned are committed now. PostgreSQL calls it after each commit that wrote
    /// outbox rows: a forwarder woken before that commit would claim beside the transaction and find
    /// nothing. (SQLite's claims queue behind its one writer, so there a wake-up while planning is soon
    /// enough; it does not call this.)
    func committed()
}

extension OutboxPlanning {
    /// The body planning put in the delivery, for plannings that render as they plan.
    public func render(_ delivery: PlannedDelivery, input: OutboxPlanningInput) -> [UInt8] { delivery.body }

    public var configuredSubscriptions: [String] { [] }

    public func committed() {}
}

/// One episode change as the ingest transaction hands it to ``OutboxPlanning``.
public struct OutboxPlanningInput: Sendable {
    /// The episode after the change and the timeline events it added, oldest first.
    public var change: Ingestion.EpisodeChange
    /// The resources the message created or changed, as stored (with id and `meta.versionId`).
    public var resources: [Element]
    /// The ingest transaction's time.
    public var plannedAt: Date
    /// The W3C `traceparent` of the request that caused the change, if any.
    public var traceparent: String?

    public init(
        change: Ingestion.EpisodeChange,
        resources: [Element] = [],
        plannedAt: Date,
        traceparent: String? = nil
    ) {
        self.change = change
        self.resources = resources
        self.plannedAt = plannedAt
        self.traceparent = traceparent
    }
}

/// What ``OutboxPlanning`` decided for one episode change: the deliveries to write as outbox rows and the
/// decisions to audit (consent refusals).
public struct OutboxPlan: Sendable, Hashable {
    /// One outbox row each.
    public var deliveries: [PlannedDelivery]
    public var audits: [AuditEntry]

    public init(deliveries: [PlannedDelivery] = [], audits: [AuditEntry] = []) {
        self.deliveries = deliveries
        self.audits = audits
    }
}

extension OutboxPlanning {
    /// The planning input of one episode change of an ingestion, as either backend's ingest transaction
    /// makes it: `at` is the message's store time.
    func input(
        _ change: Ingestion.EpisodeChange,
        resources: [Element],
        traceparent: String?,
        at: Int64
    ) -> OutboxPlanningInput {
        OutboxPlanningInput(
            change: change,
            resources: resources,
            plannedAt: Date(storeMilliseconds: at),
            traceparent: traceparent
        )
    }
}

extension OutboxPlan {
    /// How many event numbers each subscription needs, in the order its deliveries come.
    var numbersNeeded: [(subscription: String, count: Int)] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for delivery in self.deliveries {
            if counts[delivery.partnerID] == nil { order.append(delivery.partnerID) }
            counts[delivery.partnerID, default: 0] += 1
        }
        return order.map { ($0, counts[$0]!) }
    }

    /// Numbers the deliveries with the numbers drawn for each subscription, in order.
    mutating func number(with drawn: [String: [Int]]) {
        var next: [String: Int] = [:]
        for index in self.deliveries.indices {
            let subscription = self.deliveries[index].partnerID
            let position = next[subscription, default: 0]
            self.deliveries[index].eventNumber = drawn[subscription]?[position] ?? 0
            next[subscription] = position + 1
        }
    }
}
