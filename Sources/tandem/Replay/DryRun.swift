import CoManagement
import FHIRCore
import Foundation
import HTTPTypes
import Store

/// `replay --dry-run`'s engine: posts each file to an ``InProcessGateway`` exactly as `replay --to` posts
/// it to a running one, and reports what each step changed, read back from the gateway's own store.
struct DryRun {
    /// What one posted file (or one evaluation) did.
    struct Step: Sendable {
        /// The interaction, as `replay --to` would send it (nil for an evaluation).
        var target: GatewayPoster.Target?
        /// The gateway's HTTP status (nil for an evaluation).
        var status: Int?
        /// The answer's body: a resource, a Bundle, or an OperationOutcome.
        var body: [UInt8]
        /// Timeline events recorded by this step, by episode (in episode id order).
        var changes: [(episode: Episode, events: [TimelineEvent])]
        /// Deliveries the step planned, in outbox order.
        var deliveries: [DeliveryRecord]
        /// Consent refusals the step audited.
        var refusals: [AuditEntry]

        var succeeded: Bool { self.status.map { (200...299).contains($0) } ?? true }
    }

    let gateway: InProcessGateway
    private var eventCounts: [String: Int] = [:]
    private var lastRow: Int64 = 0
    private var lastAudit: Int64 = 0

    init(gateway: InProcessGateway) {
        self.gateway = gateway
    }

    /// Posts one file as `replay --to` would.
    mutating func post(_ bytes: [UInt8]) async throws -> Step {
        let target = GatewayPoster.target(for: bytes)
        let method: HTTPRequest.Method = target.method == "PUT" ? .put : .post
        let answer = try await self.gateway.send(
            method,
            path: "/fhir" + (target.path.isEmpty ? "" : "/" + target.path),
            body: bytes
        )
        return try await self.step(target: target, status: answer.status, body: answer.body)
    }

    /// Moves the clock to `time`: fires every timer due by then, as the timers of `tandem serve` do when
    /// their clock reads `time` (``Store/DueTimers``).
    mutating func evaluate(at time: FHIRInstant) async throws -> Step {
        while try await self.gateway.store.fireDueTimers(at: time, limit: 64).partitions > 0 {}
        return try await self.step(target: nil, status: nil, body: [])
    }

    /// Every live episode, by id.
    func episodes() async throws -> [Episode] {
        try await Self.episodes(in: self.gateway.store)
    }

    static func episodes(in store: any Store) async throws -> [Episode] {
        try await store.episodes(EpisodeQuery(limit: .max)).map {
            try JSONDecoder().decode(Episode.self, from: Data($0.document))
        }.sorted { $0.id < $1.id }
    }

    private mutating func step(target: GatewayPoster.Target?, status: Int?, body: [UInt8]) async throws -> Step {
        var changes: [(Episode, [TimelineEvent])] = []
        for episode in try await self.episodes() {
            let seen = self.eventCounts[episode.id] ?? 0
            if episode.timeline.count > seen { changes.append((episode, Array(episode.timeline.dropFirst(seen)))) }
            self.eventCounts[episode.id] = episode.timeline.count
        }
        let deliveries = try await self.gateway.store.deliveries(DeliveryQuery(limit: .max))
            .filter { $0.row > self.lastRow }.sorted { $0.row < $1.row }
        self.lastRow = deliveries.last?.row ?? self.lastRow
        let audits = try await self.gateway.store.auditTrail(limit: .max).filter { ($0.id ?? 0) > self.lastAudit }
        self.lastAudit = audits.compactMap(\.id).max() ?? self.lastAudit
        let refusals = audits.filter { $0.action == "delivery-refused" }.sorted { ($0.id ?? 0) < ($1.id ?? 0) }
        return Step(
            target: target,
            status: status,
            body: body,
            changes: changes,
            deliveries: deliveries,
            refusals: refusals
        )
    }
}
