import CoManagement
import Foundation
import Store

@testable import Delivery

/// A ``DeliveryQueue`` over an array, keeping the store's contract: each (partner, episode) stream is
/// claimed as a run from its head, and not while any of its rows is leased.
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
    /// Delivery ids given back unattempted, in order.
    private(set) var released: [String] = []
    /// The delivery ids of every claim that found rows, in order.
    private(set) var claims: [[String]] = []

    init(_ claimed: [ClaimedDelivery]) {
        self.rows = claimed.map { Row(claimed: $0) }
    }

    /// Heads of streams with no row leased, each followed by up to `run - 1` due rows of its stream.
    func claimDue(limit: Int, run: Int, now: Date, lease: Duration) -> [ClaimedDelivery] {
        self.claimLimits.append(limit)
        var seenStreams: Set<[String]> = []
        var out: [ClaimedDelivery] = []
        var streams = 0
        for index in self.rows.indices where self.rows[index].state == .pending {
            let stream = Self.stream(of: self.rows[index])
            guard streams < limit, seenStreams.insert(stream).inserted else { continue }
            let members = self.rows.indices.filter {
                self.rows[$0].state == .pending && Self.stream(of: self.rows[$0]) == stream
            }
            if members.contains(where: { self.rows[$0].leasedUntil.map { $0 > now } ?? false }) { continue }
            let due = members.prefix { self.rows[$0].claimed.entry.retryAt.map { $0 <= now } ?? true }
            guard !due.isEmpty else { continue }
            for member in due.prefix(max(1, run)) {
                self.leases += 1
                self.rows[member].leasedUntil = now.addingTimeInterval(Double(lease.components.seconds))
                self.rows[member].claimed.lease = OutboxLease(id: Int64(self.leases), token: "lease-\(self.leases)")
                out.append(self.rows[member].claimed)
            }
            streams += 1
        }
        if !out.isEmpty { self.claims.append(out.map(\.entry.delivery.id)) }
        return out
    }

    func release(_ claimed: [ClaimedDelivery]) {
        for row in claimed {
            guard let index = self.rows.firstIndex(where: { $0.claimed.lease == row.lease }) else { continue }
            self.rows[index].leasedUntil = nil
            self.released.append(row.entry.delivery.id)
        }
    }

    private static func stream(of row: Row) -> [String] {
        [row.claimed.entry.delivery.partnerID, row.claimed.entry.delivery.episodeID]
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
