import FHIRCore
public import Hummingbird
import Synchronization

/// Caps the requests handled at once: beyond ``Limits/maximumConcurrentRequests`` a request is answered
/// 503 with `Retry-After` at once, before it costs anything more.
public struct ConcurrencyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    let maximum: Int
    private let inFlight = Counter()

    public init(maximum: Int) {
        self.maximum = maximum
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard self.maximum > 0 else { return try await next(request, context) }
        let count = self.inFlight.value.wrappingAdd(1, ordering: .relaxed).newValue
        defer { self.inFlight.value.wrappingSubtract(1, ordering: .relaxed) }
        guard count <= self.maximum else {
            throw FHIRError(
                .serviceUnavailable,
                .throttled,
                "the gateway is handling as many requests as it takes; try again shortly",
                headers: [.retryAfter: "1"]
            )
        }
        return try await next(request, context)
    }
}
