import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import Store

/// `GET|POST /console/sign-in` and `POST /console/sign-out`: an operator's password for a session cookie,
/// and back.
///
/// Every sign-in, refused or not, is audited (`login`), with the address it came from; sign-ins are
/// rate-limited per address. The password is checked on NIO's thread pool (PBKDF2 takes a while on
/// purpose), and an unknown name costs the same as a wrong password.
struct SignInRoutes: Sendable {
    let store: any ConsoleStore
    let credentials: Credentials
    let settings: ConsoleSettings
    let limiter: RateLimiter
    let audit: AccessAudit

    /// Checked against when the name is unknown, so the answer takes as long as for a wrong password.
    private static let decoy = try? PasswordHash(hashing: ConsoleCookies.randomToken())

    func register(on console: RouterGroup<GatewayRequestContext>, gated: RouterGroup<GatewayRequestContext>) {
        console.get("sign-in", use: self.form)
        console.post("sign-in", use: self.signIn)
        gated.post("sign-out", use: self.signOut)
    }

    @Sendable func form(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let notice: String? = request.uri.queryParameters.get("signedOut") != nil ? "You have signed out." : nil
        return self.formResponse(notice: notice, status: .ok)
    }

    @Sendable func signIn(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        var request = request
        let key = RateLimiter.ClientKey(name: nil, role: "console-sign-in", address: context.remoteAddress)
        if self.limiter.admit(key) != nil {
            await self.record(context, name: nil, success: false, reason: "too many sign-ins from this address")
            throw ConsoleError(.tooManyRequests, "Too many sign-in attempts from this address. Wait a minute.")
        }
        let form = ConsoleForm(String(buffer: try await request.collectBody(upTo: ConsoleForm.maximumBytes)))
        let name = String((form["name"] ?? "").prefix(100))
        let password = form["password"] ?? ""
        guard let cookie = request.cookies[ConsoleCookies.signIn]?.value, let sent = form["_csrf"],
            ConsoleCookies.same(sent, cookie)
        else {
            await self.record(context, name: name, success: false, reason: "sign-in form token missing or wrong")
            return self.formResponse(
                notice: "The sign-in form had expired. Please try again.",
                status: .forbidden,
                name: name
            )
        }
        let person = self.credentials.snapshot.operators[name]
        let hash = person?.passwordHash
        let verified = try await NIOThreadPool.singleton.runIfActive {
            (hash ?? Self.decoy)?.verifies(password) ?? false
        }
        guard let person, person.passwordHash != nil, verified else {
            await self.record(context, name: name, success: false, reason: "wrong name or password")
            return self.formResponse(notice: "Wrong name or password.", status: .unauthorized, name: name)
        }
        let token = ConsoleCookies.randomToken()
        let now = Date()
        let lifetime = Int(self.settings.sessionLifetime.components.seconds)
        try await self.store.openConsoleSession(
            ConsoleSessionRecord(
                tokenHash: ConsoleCookies.hash(token),
                operatorName: person.name,
                csrfToken: ConsoleCookies.randomToken(),
                createdAt: now,
                expiresAt: now.addingTimeInterval(TimeInterval(lifetime))
            ),
            now: now
        )
        guard await self.record(context, name: person.name, success: true, reason: nil) else {
            try? await self.store.closeConsoleSession(tokenHash: ConsoleCookies.hash(token))
            throw ConsoleError(.serviceUnavailable, "The sign-in could not be recorded. Try again shortly.")
        }
        var response = ConsoleResponse.redirect("/console/episodes")
        response.setCookie(ConsoleCookies.session(token, maxAge: lifetime, settings: self.settings))
        response.setCookie(ConsoleCookies.signIn("", maxAge: 0, settings: self.settings))
        return response
    }

    @Sendable func signOut(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        if let session = context.consoleSession {
            try await self.store.closeConsoleSession(tokenHash: session.tokenHash)
        }
        context.access.note(action: "logout")
        context.access.note(detail: "signed out")
        var response = ConsoleResponse.redirect("/console/sign-in?signedOut=1")
        response.setCookie(ConsoleCookies.session("", maxAge: 0, settings: self.settings))
        return response
    }

    private func formResponse(notice: String?, status: HTTPResponse.Status, name: String = "") -> Response {
        let token = ConsoleCookies.randomToken()
        var response = ConsoleResponse.page(
            SignInPage.render(csrf: token, name: name, notice: notice),
            status: status
        )
        response.setCookie(ConsoleCookies.signIn(token, settings: self.settings))
        return response
    }

    /// Writes the `login` audit record; false (and logged) when the store could not take it, and then a
    /// successful sign-in is undone.
    @discardableResult
    private func record(_ context: GatewayRequestContext, name: String?, success: Bool, reason: String?) async -> Bool {
        let entry = AuditEntry(
            at: Date(),
            action: "login",
            outcome: success ? .success : .minorFailure,
            sender: name.flatMap { $0.isEmpty ? nil : $0 },
            correlationID: context.correlationID,
            detail: success ? "console sign-in" : "console sign-in refused: \(reason ?? "")",
            role: success ? "operator" : nil,
            source: context.remoteAddress
        )
        do {
            try await self.audit.record(entry)
            return true
        } catch {
            context.logger.error("auditing a console sign-in failed", metadata: ["tandem.store.error": "\(error)"])
            return false
        }
    }
}
