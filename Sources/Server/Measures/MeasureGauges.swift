import CoManagement
import Logging
import ServiceLifecycle
import Store

/// Keeps the per-service-line measure gauges of `/metrics` current: every interval it computes the
/// measures of every service line (the all-partners rows) and sets the gauges
/// (``GatewayMetrics/recordMeasures(_:)``).
struct MeasureGauges: Service {
    let measures: EpisodeMeasures
    let metrics: GatewayMetrics
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    self.metrics.recordMeasures(try await self.measures.rows(MeasureQuery()))
                } catch {
                    self.logger.warning("measure gauges not computed", metadata: ["tandem.error": .string("\(error)")])
                }
                try? await Task.sleep(for: self.interval)
            }
        }
    }
}
