import Hummingbird
import NIOCore
import Prometheus
import Store

/// `/health/live`, `/health/ready` and `/metrics`: unauthenticated, for the orchestrator and Prometheus.
struct OperationsRoutes: Sendable {
    let store: any Store
    let metrics: GatewayMetrics
    /// Run before the registry renders: gauges read from the store.
    let collect: @Sendable () async -> Void

    func register(on router: Router<GatewayRequestContext>) {
        router.get("health/live") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "live\n"))
            )
        }
        router.get("health/ready") { _, _ in
            // Ready when the store answers; a FHIRError 503 otherwise.
            try await self.metrics.timeStore("ping") { try await self.store.ping() }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "ready\n"))
            )
        }
        router.get("metrics") { _, _ in
            await self.collect()
            let text = self.metrics.registry.emitToBuffer()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: text))
            )
        }
    }
}
