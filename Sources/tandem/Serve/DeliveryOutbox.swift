import CoManagement
import Delivery
import FHIRCore
import Foundation
import Store

/// Where Delivery meets the store (DESIGN.md §3: "server and delivery never import each other: they meet
/// in the outbox table"). The store may not import Delivery, so the composition root supplies both halves:
/// the ``OutboxPlanning`` the store runs inside the ingest transaction, and the ``DeliveryQueue`` the
/// forwarder drains, built on the store's outbox claim and completion.
enum DeliveryOutbox {
    /// Plans each episode change with ``DeliveryPlanner``, renders each body once with ``NotificationBuilder``
    /// (so every retry sends the same bytes) and turns consent refusals into audit entries.
    ///
    /// - Parameter doorbell: rung whenever rows are planned. The ring comes inside the ingest transaction,
    ///   before COMMIT; that is early enough and never too early, because the forwarder's claim is itself a
    ///   write queued behind that transaction (SQLite has one writer), so it sees the rows once committed.
    static func planning(
        partners: [Partner],
        consentDefaultPermit: Bool,
        builder: NotificationBuilder,
        doorbell: DeliveryDoorbell? = nil
    ) -> OutboxPlanning {
        let byID = Dictionary(partners.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return OutboxPlanning { input in
            let plan = DeliveryPlanner.plan(
                change: Delivery.EpisodeChange(episode: input.episode, events: input.events),
                partners: partners,
                consentDefaultPermit: consentDefaultPermit,
                lastEventNumbers: input.lastEventNumbers
            )
            let rows = plan.deliveries.compactMap { delivery -> OutboxRow? in
                guard let partner = byID[delivery.partnerID] else { return nil }
                let body = builder.body(
                    for: delivery,
                    partner: partner,
                    episode: input.episode,
                    resources: Self.focusFirst(input.resources, source: delivery.event.source),
                    plannedAt: input.plannedAt
                )
                return OutboxRow(
                    deliveryID: delivery.id,
                    partnerID: delivery.partnerID,
                    episodeID: delivery.episodeID,
                    eventNumber: delivery.eventNumber,
                    event: delivery.event,
                    body: body
                )
            }
            let audits = plan.refusals.map { Self.audit($0, at: input.plannedAt) }
            if !rows.isEmpty { doorbell?.ring() }
            return OutboxPlanning.Plan(rows: rows, audits: audits)
        }
    }

    /// A consent refusal as an audit record.
    static func audit(_ refusal: ConsentDecision, at: Date) -> AuditEntry {
        AuditEntry(
            at: at,
            action: "delivery-refused",
            outcome: .minorFailure,
            resourceReference: "Episode/\(refusal.episodeID)",
            detail: """
                partner \(refusal.partnerID), timeline event \(refusal.timelineEventNumber), consent \
                \(refusal.consent), parties \(refusal.partyKeys.joined(separator: " ")), sources \
                \(refusal.consentSources.joined(separator: " ")): \(refusal.reason)
                """
        )
    }

    /// The resources of a change with the event's focus (`Type/id` of its source) first.
    static func focusFirst(_ resources: [Element], source: String) -> [Element] {
        let focus = source.split(separator: "/").prefix(2).joined(separator: "/")
        let isFocus = { (resource: Element) in "\(resource.name)/\(resource.resourceID ?? "")" == focus }
        return resources.filter(isFocus) + resources.filter { !isFocus($0) }
    }
}

/// The store's outbox as the forwarder's ``DeliveryQueue``, on either backend.
struct StoreDeliveryQueue: DeliveryQueue {
    let store: any OutboxStore

    func claimDue(limit: Int, run: Int, now: Date, lease: Duration) async throws -> [ClaimedDelivery] {
        var claimed: [ClaimedDelivery] = []
        // The rows of a run share their episode's document: decode its parties once.
        var partiesByEpisode: [String: EpisodeParties] = [:]
        for row in try await self.store.claimOutbox(limit: limit, run: run, now: now, lease: lease) {
            guard
                let parties = partiesByEpisode[row.row.episodeID]
                    ?? row.episodeDocument.flatMap({ try? MemberJSONDecoder().decode(EpisodeParties.self, from: $0) })
            else {
                try await self.store.completeOutbox(
                    id: row.id,
                    leaseToken: row.leaseToken,
                    attempt: nil,
                    resolution: .deadLetter(reason: "the episode is no longer stored"),
                    audit: nil
                )
                continue
            }
            partiesByEpisode[row.row.episodeID] = parties
            let delivery = PlannedDelivery(
                id: row.row.deliveryID,
                partnerID: row.row.partnerID,
                episodeID: row.row.episodeID,
                eventNumber: row.row.eventNumber,
                event: row.row.event,
                redeliveryOf: row.row.redeliveryOf
            )
            claimed.append(
                ClaimedDelivery(
                    entry: OutboxEntry(
                        delivery: delivery,
                        createdAt: row.createdAt,
                        attemptsMade: row.attempts,
                        retryAt: row.retryAt
                    ),
                    parties: parties,
                    body: row.row.body,
                    lease: "\(row.id):\(row.leaseToken)"
                )
            )
        }
        return claimed
    }

    func release(_ claimed: [ClaimedDelivery]) async throws {
        try await self.store.releaseOutbox(claimed.map { try Self.lease(of: $0) })
    }

    /// The row id and lease token ``claimDue(limit:run:now:lease:)`` put in a claimed delivery's lease.
    private static func lease(of claimed: ClaimedDelivery) throws -> OutboxLease {
        guard let colon = claimed.lease.firstIndex(of: ":"), let id = Int64(claimed.lease[..<colon]) else {
            throw ConfigurationError("not a lease of this store: '\(claimed.lease)'")
        }
        return OutboxLease(id: id, token: String(claimed.lease[claimed.lease.index(after: colon)...]))
    }

    func complete(_ claimed: ClaimedDelivery, outcome: DeliveryOutcome) async throws {
        try await self.record([(claimed, outcome)], releasing: [])
    }

    /// A run's outcomes and release in one store call (one write of SQLite's writer).
    func record(
        _ outcomes: [(claimed: ClaimedDelivery, outcome: DeliveryOutcome)],
        releasing: [ClaimedDelivery]
    ) async throws {
        try await self.store.completeOutbox(
            try outcomes.map { try Self.completion($0.claimed, $0.outcome) },
            releasing: try releasing.map { try Self.lease(of: $0) }
        )
    }

    /// A driver's outcome as the store records it.
    private static func completion(_ claimed: ClaimedDelivery, _ outcome: DeliveryOutcome) throws -> OutboxCompletion {
        let lease = try Self.lease(of: claimed)
        let resolution: OutboxResolution
        switch outcome.action {
        case .markDelivered: resolution = .delivered
        case .retry(_, let at): resolution = .retry(at: at)
        case .deadLetter(let reason): resolution = .deadLetter(reason: reason.description)
        // Never handed back by the driver; due again at once rather than lost.
        case .send: resolution = .retry(at: Date())
        }
        let attempt = outcome.attempt.map { attempt in
            let (seconds, attoseconds) = attempt.duration.components
            return OutboxAttempt(
                number: attempt.number,
                startedAt: attempt.startedAt,
                status: attempt.status,
                error: attempt.error.map { "\($0)" },
                durationMilliseconds: seconds * 1000 + attoseconds / 1_000_000_000_000_000,
                httpVersion: attempt.httpVersion,
                excerpt: attempt.excerpt
            )
        }
        return OutboxCompletion(
            lease: lease,
            attempt: attempt,
            resolution: resolution,
            audit: outcome.refusal.map { DeliveryOutbox.audit($0, at: Date()) }
        )
    }
}
