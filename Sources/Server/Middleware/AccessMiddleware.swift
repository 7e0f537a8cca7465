import FHIRCore
public import Hummingbird
import Logging
import Store

/// The gate of every protected route: authenticate, rate-limit (requests a second, and in flight per client),
/// let the handler run, audit the access.
///
/// In this order on purpose: a client over its rate is answered 429 before anything is written, and its
/// refusals reach the audit trail as one counted summary per client (``RefusalSummaries``), so a flood
/// costs no store write per request. Every other request, refused or served, gets an audit record before
/// its answer leaves: who (account, role, address), what (interaction, resource), which patient when the
/// handler knew it, and the outcome. Writes the store committed carry their own records already.
public struct AccessMiddleware: RouterMiddleware {
    public typealias Context = GatewayRequestContext

    /// nil for the token endpoint, which authenticates clients by their assertion.
    let authenticator: Authenticator?
    let limiter: RateLimiter
    let concurrency: ClientConcurrency
    let audit: AccessAudit

    init(authenticator: Authenticator?, limiter: RateLimiter, concurrency: ClientConcurrency, audit: AccessAudit) {
        self.authenticator = authenticator
        self.limiter = limiter
        self.concurrency = concurrency
        self.audit = audit
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let authentication = await self.authenticator?.authenticate(request, context: context)
        let principal = try? authentication?.get()
        let key = RateLimiter.ClientKey(
            name: principal?.name,
            role: principal?.roleName,
            address: principal == nil ? context.remoteAddress : nil
        )
        if let wait = self.limiter.admit(key) {
            let seconds = max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
            throw FHIRError(
                .tooManyRequests,
                .throttled,
                "too many requests from this client; try again in \(seconds) s",
                headers: [.retryAfter: String(seconds)]
            )
        }
        guard self.concurrency.enter(key) else {
            throw FHIRError(
                .tooManyRequests,
                .throttled,
                "this client has as many requests in flight as it may; try again when one has finished",
                headers: [.retryAfter: "1"]
            )
        }
        defer { self.concurrency.leave(key) }
        if case .failure(let refusal) = authentication {
            await self.recordRefusal(refusal, request: request, context: context, principal: nil)
            throw refusal
        }
        if let principal {
            context.principal = principal
            context.logger[metadataKey: "tandem.\(principal.roleName)"] = .string(principal.name)
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let refusal = FHIRError(converting: error)
            await self.recordRefusal(refusal, request: request, context: context, principal: principal)
            throw refusal
        }
        guard !context.access.current.auditedByStore else { return response }
        // Nothing is disclosed that the audit trail does not hold: no record, no answer.
        try await self.audit.record(
            AccessRecord.entry(request: request, context: context, principal: principal, status: response.status)
        )
        return response
    }

    /// Audits a refusal; when the store cannot take the record, the refusal is answered all the same.
    private func recordRefusal(
        _ refusal: FHIRError,
        request: Request,
        context: Context,
        principal: Principal?
    ) async {
        let entry = AccessRecord.entry(
            request: request,
            context: context,
            principal: principal,
            status: refusal.status,
            reason: refusal.outcome.issues.first?.message
        )
        do {
            try await self.audit.record(entry)
        } catch {
            context.logger.error("auditing a refused request failed", metadata: ["tandem.store.error": "\(error)"])
        }
    }
}
