import Foundation
import Logging
import ServiceLifecycle
import Store

/// Writes the rate limit's refusals to the audit trail as one counted record per client, every
/// ``Limits/refusalSummaryInterval`` and once more at shutdown: a flood of refused requests costs one
/// store write per interval, not one per request.
struct RefusalSummaries: Service {
    let limiter: RateLimiter
    let store: any Store
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.interval)
                await self.flush()
            }
        }
        await self.flush()
    }

    /// Writes what was counted since the last flush.
    func flush() async {
        let now = ContinuousClock.now
        let wallNow = Date()
        let entries = self.limiter.takeRefusals().map { refusals in
            let since = wallNow.addingTimeInterval(-Self.seconds(now - refusals.first))
            return AuditEntry(
                at: wallNow,
                action: "rate-limited",
                outcome: .minorFailure,
                sender: refusals.client.name,
                detail: "429 ×\(refusals.count) since \(ISO8601DateFormatter().string(from: since))",
                role: refusals.client.role,
                source: refusals.client.address
            )
        }
        guard !entries.isEmpty else { return }
        do {
            try await self.store.record(entries)
        } catch {
            self.logger.error("auditing rate-limit refusals failed", metadata: ["tandem.store.error": "\(error)"])
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
