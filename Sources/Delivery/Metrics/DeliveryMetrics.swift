public import Foundation
public import Metrics
public import Store
import Synchronization

/// What monitoring sees of delivery, per partner and subscription (`GET /metrics`, Prometheus):
/// - `tandem_deliveries_total{partner, subscription, outcome}`: attempts and decisions by outcome
///   (`delivered`, `retry`, `dead_letter`, `consent_refused`);
/// - `tandem_delivery_attempt_duration{partner}`: how long partners took to answer, a histogram;
/// - `tandem_outbox_depth`, `tandem_outbox_oldest_due_seconds`, `tandem_outbox_dead_letters`
///   `{partner, subscription}`: the outbox as the store holds it, read when metrics are collected
///   (``collect(from:now:)``);
/// - `tandem_delivery_forwarding`: 1 while this replica's forwarder holds the seat (``ForwarderSeat``), 0
///   while another replica's does; absent where every forwarder claims.
///
/// The counters and the histogram count this process's attempts; the gauges are the database's, the
/// same on every replica.
public final class DeliveryMetrics: Sendable {
    let factory: any MetricsFactory
    /// The subscriptions the gauges were last set for, so one that emptied is set back to zero.
    private let reported = Mutex<Set<OutboxKey>>([])

    private struct OutboxKey: Hashable {
        var partner: String
        var subscription: String
    }

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Counts one attempt's outcome and, when something was sent, its latency.
    public func record(_ outcome: DeliveryOutcome, subscription: String, partner: String?) {
        let partner = partner ?? subscription
        let label: String
        switch outcome.action {
        case .markDelivered: label = "delivered"
        case .retry: label = "retry"
        case .deadLetter: label = outcome.refusal == nil ? "dead_letter" : "consent_refused"
        }
        Counter(
            label: "tandem_deliveries_total",
            dimensions: [("partner", partner), ("subscription", subscription), ("outcome", label)],
            factory: self.factory
        ).increment()
        if let attempt = outcome.attempt {
            Metrics.Timer(
                label: "tandem_delivery_attempt_duration",
                dimensions: [("partner", partner)],
                factory: self.factory
            ).recordNanoseconds(attempt.milliseconds * 1_000_000)
        }
    }

    /// Sets `tandem_delivery_forwarding`: 1 while this replica's forwarder holds the ``ForwarderSeat``.
    public func recordForwarding(held: Bool) {
        Gauge(label: "tandem_delivery_forwarding", factory: self.factory).record(held ? 1 : 0)
    }

    /// Sets the outbox gauges from the store's statistics.
    public func collect(from store: any OutboxStore, now: Date = Date()) async {
        guard let statistics = try? await store.outboxStatistics(now: now) else { return }
        self.record(statistics, now: now)
    }

    /// Sets the outbox gauges: depth, age of the oldest due row, dead letters; zero for subscriptions that
    /// had some before and have none now.
    public func record(_ statistics: [OutboxStatistics], now: Date) {
        var seen: Set<OutboxKey> = []
        for entry in statistics {
            let key = OutboxKey(partner: entry.partner, subscription: entry.subscription)
            seen.insert(key)
            self.gauges(
                key,
                depth: entry.depth,
                age: entry.oldestDue.map { max(0, now.timeIntervalSince($0)) } ?? 0,
                dead: entry.dead
            )
        }
        let gone = self.reported.withLock { reported in
            defer { reported = seen }
            return reported.subtracting(seen)
        }
        for key in gone { self.gauges(key, depth: 0, age: 0, dead: 0) }
    }

    private func gauges(_ key: OutboxKey, depth: Int, age: Double, dead: Int) {
        let dimensions = [("partner", key.partner), ("subscription", key.subscription)]
        Gauge(label: "tandem_outbox_depth", dimensions: dimensions, factory: self.factory).record(depth)
        Gauge(label: "tandem_outbox_oldest_due_seconds", dimensions: dimensions, factory: self.factory).record(age)
        Gauge(label: "tandem_outbox_dead_letters", dimensions: dimensions, factory: self.factory).record(dead)
    }
}
