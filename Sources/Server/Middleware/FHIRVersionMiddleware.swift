public import Hummingbird

/// Refuses requests that ask for another FHIR version than R4 (``FormatNegotiation/requireR4(_:)``) before
/// anything else reads them, with an OperationOutcome in the client's format.
public struct FHIRVersionMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try FormatNegotiation.requireR4(request)
        return try await next(request, context)
    }
}
