import CoManagement
import Foundation
import Metrics
public import Prometheus

/// The gateway's own metrics; requests by route and status come from Hummingbird's `MetricsMiddleware`.
///
/// The timers are made with the given factory, not the global one, so tests can read them without
/// bootstrapping the process-wide `MetricsSystem`.
public struct GatewayMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// From the first body byte read to the committed store write, per interaction.
    let ingestTimers: [String: Metrics.Timer]
    /// Each store call, by operation.
    let storeTimers: [String: Metrics.Timer]
    /// Where counters are made (``recordUnmatched(_:sender:)`` makes one per sender and code system).
    let factory: PrometheusMetricsFactory

    /// Metrics in a registry of their own.
    public init() {
        self.init(registry: PrometheusCollectorRegistry())
    }

    public init(registry: PrometheusCollectorRegistry) {
        let factory = PrometheusMetricsFactory(registry: registry)
        var ingest: [String: Metrics.Timer] = [:]
        for interaction in ["create", "update", "transaction", "batch", "message"] {
            ingest[interaction] = Metrics.Timer(
                label: "tandem_ingest_duration",
                dimensions: [("interaction", interaction)],
                factory: factory
            )
        }
        var store: [String: Metrics.Timer] = [:]
        for operation in [
            "ingest", "read", "vread", "history", "search", "audit", "episodes", "measures", "deliveries", "ping",
        ] {
            store[operation] = Metrics.Timer(
                label: "tandem_store_duration",
                dimensions: [("operation", operation)],
                factory: factory
            )
        }
        self.registry = registry
        self.ingestTimers = ingest
        self.storeTimers = store
        self.factory = factory
    }

    /// Counts referrals a sender sent that no service line matched, by the code systems of their codes
    /// (`none` for a referral without codes): `tandem_unmatched_referrals_total{sender, system}`.
    func recordUnmatched(_ referrals: [UnmatchedReferral], sender: String) {
        for referral in referrals {
            let systems = Set(referral.codes.map { $0.system ?? "none" })
            for system in systems.isEmpty ? ["none"] : systems.sorted() {
                Counter(
                    label: "tandem_unmatched_referrals_total",
                    dimensions: [("sender", sender), ("system", system)],
                    factory: self.factory
                ).increment()
            }
        }
    }

    /// Times `body` as a store call of the given operation.
    func timeStore<Value>(_ operation: String, _ body: () async throws -> Value) async rethrows -> Value {
        let start = ContinuousClock.now
        defer { self.storeTimers[operation]?.recordInterval(since: start) }
        return try await body()
    }

    func recordIngest(_ interaction: String, since start: ContinuousClock.Instant) {
        self.ingestTimers[interaction]?.recordInterval(since: start)
    }
}

extension Metrics.Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        self.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
