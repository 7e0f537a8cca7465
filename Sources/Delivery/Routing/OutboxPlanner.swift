import CoManagement
import FHIRCore
public import Store

public import struct Foundation.Date

/// Delivery's side of the ingest transaction: the ``Store/OutboxPlanning`` the store runs for each episode
/// change. It routes with ``DeliveryPlanner``, renders each body once with ``NotificationBuilder`` (so
/// every retry sends the same bytes) and turns consent refusals into audit entries.
public struct OutboxPlanner: OutboxPlanning {
    public let partners: [Partner]
    /// The gateway's decision when no Consent applies.
    public let consentDefaultPermit: Bool
    public let builder: NotificationBuilder
    /// Rung whenever rows are planned.
    public let doorbell: DeliveryDoorbell?
    private let byID: [String: Partner]

    /// - Parameter doorbell: rung whenever rows are planned. The ring comes inside the ingest transaction,
    ///   before COMMIT; that is early enough and never too early, because the forwarder's claim is itself a
    ///   write queued behind that transaction (SQLite has one writer), so it sees the rows once committed.
    public init(
        partners: [Partner],
        consentDefaultPermit: Bool,
        builder: NotificationBuilder,
        doorbell: DeliveryDoorbell? = nil
    ) {
        self.partners = partners
        self.consentDefaultPermit = consentDefaultPermit
        self.builder = builder
        self.doorbell = doorbell
        self.byID = Dictionary(partners.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func plan(_ input: OutboxPlanningInput) -> OutboxPlan {
        let plan = DeliveryPlanner.plan(
            change: input.change,
            partners: self.partners,
            consentDefaultPermit: self.consentDefaultPermit,
            lastEventNumbers: input.lastEventNumbers
        )
        let deliveries = plan.deliveries.compactMap { planned -> PlannedDelivery? in
            guard let partner = self.byID[planned.partnerID] else { return nil }
            var delivery = planned
            delivery.body = self.builder.body(
                for: planned,
                partner: partner,
                episode: input.change.episode,
                resources: Self.focusFirst(input.resources, source: planned.event.source),
                plannedAt: input.plannedAt
            )
            return delivery
        }
        if !deliveries.isEmpty { self.doorbell?.ring() }
        return OutboxPlan(deliveries: deliveries, audits: plan.refusals.map { $0.auditEntry(at: input.plannedAt) })
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
