import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import Store

/// The operations console at `/console`: server-rendered pages for operators who sign in with a password,
/// over the same store operations the API and the CLI use.
///
/// Mounted by ``Gateway`` when it is given an outbox store. Only operators with a `passwordHash` can sign
/// in; everything else about them (removal, renaming) takes effect on their next request.
struct Console: Sendable {
    let store: any OutboxStore
    let credentials: Credentials
    let settings: ConsoleSettings
    /// The measures across episodes, as `GET /measures` computes them.
    let measures: EpisodeMeasures
    let limiter: RateLimiter
    let signInLimiter: RateLimiter
    let audit: AccessAudit

    init(
        store: any OutboxStore,
        credentials: Credentials,
        settings: ConsoleSettings,
        measures: EpisodeMeasures,
        limiter: RateLimiter,
        audit: AccessAudit
    ) {
        self.store = store
        self.credentials = credentials
        self.settings = settings
        self.measures = measures
        self.limiter = limiter
        self.signInLimiter = RateLimiter(
            limits: Limits(requestsPerSecond: settings.signInsPerSecond, burst: settings.signInBurst)
        )
        self.audit = audit
    }

    func register(on router: Router<GatewayRequestContext>) {
        let console = router.group("console").add(middleware: ConsolePages())
        console.get { _, _ in ConsoleResponse.redirect("/console/episodes") }
        console.get("assets/console.css") { _, _ in
            ConsoleResponse.asset(ConsoleStylesheet.source, type: "text/css; charset=utf-8")
        }
        console.get("assets/console.js") { _, _ in
            ConsoleResponse.asset(ConsoleScript.source, type: "text/javascript; charset=utf-8")
        }
        let gated = console.group().add(
            middleware: ConsoleGate(
                store: self.store,
                credentials: self.credentials,
                limiter: self.limiter,
                audit: self.audit
            )
        )
        SignInRoutes(
            store: self.store,
            credentials: self.credentials,
            settings: self.settings,
            limiter: self.signInLimiter,
            audit: self.audit
        ).register(on: console, gated: gated)
        EpisodeConsoleRoutes(store: self.store).register(on: gated)
        MessageConsoleRoutes(store: self.store).register(on: gated)
        DeliveryConsoleRoutes(store: self.store).register(on: gated)
        MeasureConsoleRoutes(measures: self.measures).register(on: gated)
    }
}

extension GatewayRequestContext {
    /// The page frame for the signed-in operator; only behind ``ConsoleGate``.
    func chrome(_ section: ConsoleChrome.Section) throws(ConsoleError) -> ConsoleChrome {
        guard let session = self.consoleSession else { throw ConsoleError(.unauthorized, "Sign in first.") }
        return ConsoleChrome(operatorName: session.operatorName, csrf: session.csrfToken, section: section)
    }

    /// Who made a change, for the store's audit entry (as `tandem deliveries` names its user and command).
    var consoleActor: String {
        "operator \(self.consoleSession?.operatorName ?? "unknown") via console"
    }
}
