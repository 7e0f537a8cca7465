import CoManagement
import FHIRCore
public import Store

public import struct Foundation.Date

/// Delivery's side of the ingest transaction: the ``Store/OutboxPlanning`` the store runs for each episode
/// change. It routes with ``DeliveryPlanner`` over the subscriptions of its ``SubscriptionDirectory``,
/// turns consent refusals into audit entries, and renders each body once, after the store has numbered
/// the delivery, with ``NotificationBuilder`` (so every retry sends the same bytes).
public struct OutboxPlanner: OutboxPlanning {
    public let directory: SubscriptionDirectory
    /// The gateway's decision when no Consent applies.
    public let consentDefaultPermit: Bool
    public let builder: NotificationBuilder
    /// Rung when rows are planned, or once they are committed (``Ring``).
    public let doorbell: DeliveryDoorbell?
    public let ring: Ring

    /// When the doorbell rings.
    public enum Ring: Sendable {
        /// Inside the ingest transaction, before COMMIT: early enough and never too early with SQLite,
        /// whose forwarder's claim is itself a write queued behind that transaction (one writer).
        case whenPlanned
        /// After the commit (``committed()``): with PostgreSQL a claim runs beside the transaction, and
        /// one woken before the commit finds nothing and waits for the next ring or poll.
        case whenCommitted
    }

    public init(
        directory: SubscriptionDirectory,
        consentDefaultPermit: Bool,
        builder: NotificationBuilder,
        doorbell: DeliveryDoorbell? = nil,
        ring: Ring = .whenPlanned
    ) {
        self.directory = directory
        self.consentDefaultPermit = consentDefaultPermit
        self.builder = builder
        self.doorbell = doorbell
        self.ring = ring
    }

    /// A planner over the configuration's partners alone (tests, benchmarks, dry runs).
    public init(
        partners: [Partner],
        consentDefaultPermit: Bool,
        builder: NotificationBuilder,
        doorbell: DeliveryDoorbell? = nil
    ) {
        self.init(
            directory: SubscriptionDirectory(configured: partners, profiles: [], baseURL: builder.baseURL),
            consentDefaultPermit: consentDefaultPermit,
            builder: builder,
            doorbell: doorbell
        )
    }

    public var configuredSubscriptions: [String] { self.directory.configured.map(\.id) }

    public func plan(_ input: OutboxPlanningInput) -> OutboxPlan {
        let plan = DeliveryPlanner.plan(
            change: input.change,
            partners: self.directory.subscriptions,
            consentDefaultPermit: self.consentDefaultPermit,
            plannedAt: input.plannedAt
        )
        var deliveries = plan.deliveries
        for index in deliveries.indices { deliveries[index].traceparent = input.traceparent }
        if self.ring == .whenPlanned, !deliveries.isEmpty { self.doorbell?.ring() }
        return OutboxPlan(deliveries: deliveries, audits: plan.refusals.map { $0.auditEntry(at: input.plannedAt) })
    }

    public func committed() {
        if self.ring == .whenCommitted { self.doorbell?.ring() }
    }

    public func render(_ delivery: PlannedDelivery, input: OutboxPlanningInput) -> [UInt8] {
        guard let partner = self.directory.partner(delivery.partnerID) else { return [] }
        return self.builder.body(
            for: delivery,
            partner: partner,
            episode: input.change.episode,
            resources: Self.focusFirst(input.resources, source: delivery.event.source),
            plannedAt: input.plannedAt
        )
    }

    /// The resources of a change with the event's focus (`Type/id` of its source) first.
    static func focusFirst(_ resources: [Element], source: String) -> [Element] {
        let focus = source.split(separator: "/").prefix(2).joined(separator: "/")
        let isFocus = { (resource: Element) in "\(resource.name)/\(resource.resourceID ?? "")" == focus }
        return resources.filter(isFocus) + resources.filter { !isFocus($0) }
    }
}

extension ConsentDecision {
    /// The refusal as an audit record.
    public func auditEntry(at: Date) -> AuditEntry {
        AuditEntry(
            at: at,
            action: "delivery-refused",
            outcome: .minorFailure,
            resourceReference: "Episode/\(self.episodeID)",
            detail: """
                partner \(self.partnerID), timeline event \(self.timelineEventNumber), consent \
                \(self.consent), parties \(self.partyKeys.joined(separator: " ")), sources \
                \(self.consentSources.joined(separator: " ")): \(self.reason)
                """
        )
    }
}
