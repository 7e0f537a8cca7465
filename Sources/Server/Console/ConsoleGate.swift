import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Store

/// The gate of the console's pages and actions: a live session of a configured operator, the CSRF token on
/// every change, the rate limit, and the audit record of every access.
///
/// Without a session a page redirects to the sign-in (nothing is disclosed, nothing audited) and a change
/// is refused. The operator is looked up anew on every request, so removing one from the configuration
/// (SIGHUP) ends their sessions. A POST's form is read here, its `_csrf` field compared with the session's
/// token, and handed on to the handler.
struct ConsoleGate: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let store: any ConsoleStore
    let credentials: Credentials
    let limiter: RateLimiter
    let audit: AccessAudit

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        var request = request
        let now = Date()
        let token = request.cookies[ConsoleCookies.session]?.value
        var session: ConsoleSessionRecord?
        if let token, !token.isEmpty {
            session = try await self.store.consoleSession(tokenHash: ConsoleCookies.hash(token), now: now)
        }
        guard let session, let person = self.credentials.snapshot.operators[session.operatorName],
            person.passwordHash != nil
        else {
            guard request.method == .get || request.method == .head else {
                let refusal = ConsoleError(.unauthorized, "Your session has ended. Sign in again.")
                await self.record(
                    request,
                    context: context,
                    person: nil,
                    status: refusal.status,
                    reason: refusal.message
                )
                throw refusal
            }
            return ConsoleResponse.redirect("/console/sign-in")
        }
        let key = RateLimiter.ClientKey(name: person.name, role: "operator", address: nil)
        if self.limiter.admit(key) != nil {
            throw ConsoleError(.tooManyRequests, "Too many requests from your session; wait a moment and reload.")
        }
        context.principal = Principal(.operator(person))
        context.consoleSession = session
        context.logger[metadataKey: "tandem.operator"] = .string(person.name)
        if request.method == .post {
            let body = try await request.collectBody(upTo: ConsoleForm.maximumBytes)
            let form = ConsoleForm(String(buffer: body))
            guard let sent = form["_csrf"], ConsoleCookies.same(sent, session.csrfToken) else {
                await self.record(request, context: context, person: person, status: .forbidden, reason: "CSRF token")
                throw ConsoleError.badForm
            }
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let refusal = (error as? ConsoleError) ?? ConsoleError(.internalServerError, "failed")
            await self.record(
                request,
                context: context,
                person: person,
                status: refusal.status,
                reason: refusal.message
            )
            throw error
        }
        // Nothing is disclosed that the audit trail does not hold: no record, no page.
        try await self.audit.record(Self.entry(request, context: context, person: person, status: response.status))
        return response
    }

    private func record(
        _ request: Request,
        context: Context,
        person: Operator?,
        status: HTTPResponse.Status,
        reason: String
    ) async {
        do {
            try await self.audit.record(
                Self.entry(request, context: context, person: person, status: status, reason: reason)
            )
        } catch {
            context.logger.error("auditing a console refusal failed", metadata: ["tandem.store.error": "\(error)"])
        }
    }

    /// The audit record of one console access: `console-read` for pages, the change's own action for POSTs.
    static func entry(
        _ request: Request,
        context: Context,
        person: Operator?,
        status: HTTPResponse.Status,
        reason: String? = nil
    ) -> AuditEntry {
        let facts = context.access.current
        let action = facts.action ?? (request.method == .post ? "console-change" : "console-read")
        var detail = "console \(request.method.rawValue) \(request.uri.path): \(status.code)"
        if let extra = facts.detail ?? reason { detail += ": \(extra)" }
        return AuditEntry(
            at: Date(),
            action: action,
            outcome: AccessRecord.outcome(status),
            sender: person?.name,
            resourceReference: facts.entity,
            correlationID: context.correlationID,
            detail: String(detail.prefix(500)),
            role: person == nil ? nil : "operator",
            patient: facts.patient,
            source: context.remoteAddress
        )
    }
}
