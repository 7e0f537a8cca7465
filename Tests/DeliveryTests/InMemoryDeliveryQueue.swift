import CoManagement
import Foundation

@testable import Delivery

/// A ``DeliveryQueue`` over an array, keeping the store's contract: only the head of each
/// (partner, episode) stream is claimed, and not while it is leased.
actor InMemoryDeliveryQueue: DeliveryQueue {
    enum RowState: Equatable {
        case pending
        case delivered
        case dead(DeadLetterReason)
    }

    struct Row {
        var claimed: ClaimedDelivery
        var state: RowState = .pending
        var leasedUntil: Date?
        var attempts: [DeliveryAttempt] = []
    }

    private(set) var rows: [Row]
    /// Delivery ids in the order they were marked delivered.
    private(set) var deliveredOrder: [String] = []
    private var leases = 0
    /// The `limit` of every claim, in order.
    private(set) var claimLimits: [Int] = []

    init(_ claimed: [ClaimedDelivery]) {
        self.rows = claimed.map { Row(claimed: $0) }
    }

    func claimDue(limit: Int, now: Date, lease: Duration) -> [ClaimedDelivery] {
        self.claimLimits.append(limit)
        var seenStreams: Set<[String]> = []
        var out: [ClaimedDelivery] = []
        for index in self.rows.indices where self.rows[index].state == .pending {
            let delivery = self.rows[index].claimed.entry.delivery
            guard seenStreams.insert([delivery.partnerID, delivery.episodeID]).inserted else { continue }
            if let until = self.rows[index].leasedUntil, until > now { continue }
            if let retryAt = self.rows[index].claimed.entry.retryAt, retryAt > now { continue }
            self.leases += 1
            self.rows[index].leasedUntil = now.addingTimeInterval(Double(lease.components.seconds))
            self.rows[index].claimed.lease = "lease-\(self.leases)"
            out.append(self.rows[index].claimed)
            if out.count == limit { break }
        }
        return out
    }

    func complete(_ claimed: ClaimedDelivery, outcome: DeliveryOutcome) {
        guard let index = self.rows.firstIndex(where: { $0.claimed.lease == claimed.lease }) else { return }
        self.rows[index].leasedUntil = nil
        if let attempt = outcome.attempt { self.rows[index].attempts.append(attempt) }
        switch outcome.action {
        case .markDelivered:
            self.rows[index].state = .delivered
            self.deliveredOrder.append(claimed.entry.delivery.id)
        case .retry(_, let at):
            self.rows[index].claimed.entry.attemptsMade += 1
            self.rows[index].claimed.entry.retryAt = at
        case .deadLetter(let reason):
            self.rows[index].state = .dead(reason)
        case .send:
            preconditionFailure("the driver never hands back send")
        }
    }

    /// Rows planned after the forwarder started.
    func add(_ claimed: [ClaimedDelivery]) {
        self.rows += claimed.map { Row(claimed: $0) }
    }

    func states(partner: String) -> [RowState] {
        self.rows.filter { $0.claimed.entry.delivery.partnerID == partner }.map(\.state)
    }

    func attempts(partner: String) -> Int {
        self.rows.filter { $0.claimed.entry.delivery.partnerID == partner }.map(\.attempts.count).reduce(0, +)
    }
}
