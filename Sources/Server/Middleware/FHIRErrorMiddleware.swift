public import Hummingbird

/// Turns every error thrown below it into a ``FHIRError``, so each failure leaves the server as an
/// OperationOutcome with the right status, in the client's format.
public struct FHIRErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw FHIRError(converting: error)
        }
    }
}
