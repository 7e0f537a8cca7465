import FHIRCore
public import Foundation
public import Hummingbird
public import Logging
public import ServiceLifecycle
public import Store

/// The gateway's HTTP surface: the FHIR REST routes (with search and Subscriptions), SMART Backend
/// Services, the CapabilityStatement, the co-management and delivery APIs, health and metrics, the
/// operations console (given an `outbox` store), with the middleware every request passes (metrics,
/// logging, compression, error rendering, the concurrency cap; then, on protected routes, the FHIR version
/// check, authentication, the rate limit and the audit of the access).
public struct Gateway: Sendable {
    let store: any Store
    let settings: GatewaySettings
    let metrics: GatewayMetrics
    let startedAt: Date
    /// The accounts, clients and certificates accepted now; ``Credentials/replace(with:)`` reloads them.
    public let credentials: Credentials
    let limiter: RateLimiter
    let concurrency: ClientConcurrency
    let audit: AccessAudit
    let tokens: TokenService
    /// The time partners' answers to hand-off Tasks are recorded at (the timers' clock).
    let clock: any WallClock
    /// The operations console, when the gateway was given its outbox store.
    let console: Console?
    /// The outbox for `GET /deliveries`; nil serves no such route.
    let administration: (any DeliveryAdministration)?
    /// Called after a partner saved or deleted a Subscription.
    let subscriptionsChanged: @Sendable () -> Void
    /// Run before `/metrics` renders (the outbox gauges).
    let collectMetrics: @Sendable () async -> Void

    /// - Parameters:
    ///   - outbox: the same store as an outbox store; given, the operations console is served at `/console`
    ///     (its deliveries page and sessions need the outbox and the console's tables).
    ///   - administration: the store's outbox, for `GET /deliveries`.
    ///   - subscriptionsChanged: called when a Subscription was saved or deleted, so delivery takes it up.
    ///   - collectMetrics: run before `/metrics` answers, to read what the store holds (outbox gauges).
    public init(
        store: any Store,
        settings: GatewaySettings,
        metrics: GatewayMetrics,
        credentials: Credentials? = nil,
        startedAt: Date = Date(),
        clock: any WallClock = SystemClock(),
        outbox: (any OutboxStore)? = nil,
        administration: (any DeliveryAdministration)? = nil,
        subscriptionsChanged: @escaping @Sendable () -> Void = {},
        collectMetrics: @escaping @Sendable () async -> Void = {}
    ) {
        self.administration = administration
        self.subscriptionsChanged = subscriptionsChanged
        self.collectMetrics = collectMetrics
        self.store = store
        self.clock = clock
        self.settings = settings
        self.metrics = metrics
        self.startedAt = startedAt
        let credentials = credentials ?? Credentials(settings: settings)
        self.credentials = credentials
        self.limiter = RateLimiter(limits: settings.limits)
        self.concurrency = ClientConcurrency(maximum: settings.limits.maximumConcurrentRequestsPerClient)
        self.audit = AccessAudit(store: store)
        self.tokens = TokenService(
            credentials: credentials,
            keys: SigningKeyRing(store: store, settings: settings.authorization),
            store: store,
            settings: settings.authorization
        )
        if let outbox {
            self.console = Console(
                store: outbox,
                credentials: credentials,
                settings: settings.console,
                measures: EpisodeMeasures(store: store, audiences: settings.measureAudiences),
                limiter: self.limiter,
                audit: self.audit
            )
        } else {
            self.console = nil
        }
    }

    /// The router; serve it with `Application(router:configuration:)`, test it with `app.test(.router)`.
    public func router() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: RequestLoggingMiddleware(publicBase: self.settings.baseURL))
        router.add(middleware: ResponseCompressionMiddleware())
        router.add(middleware: FHIRErrorMiddleware())
        router.add(middleware: ConcurrencyLimitMiddleware(maximum: self.settings.limits.maximumConcurrentRequests))
        OperationsRoutes(store: self.store, metrics: self.metrics, collect: self.collectMetrics).register(on: router)

        let (startedAt, authorization) = (self.startedAt, self.settings.authorization)
        router.get("fhir/metadata") { _, context in
            let capabilityStatement = CapabilityStatementBuilder.make(
                date: startedAt,
                version: "0.1.0",
                base: context.fhirBase,
                authorization: authorization
            )
            return ResourceResponse.body(capabilityStatement, status: .ok, format: context.responseFormat)
        }
        let authenticated = AccessMiddleware(
            authenticator: Authenticator(credentials: self.credentials, tokens: self.tokens),
            limiter: self.limiter,
            concurrency: self.concurrency,
            audit: self.audit
        )
        let tokenEndpoint = AccessMiddleware(
            authenticator: nil,
            limiter: self.limiter,
            concurrency: self.concurrency,
            audit: self.audit
        )
        AuthorizationRoutes(tokens: self.tokens)
            .register(on: router, tokenGroup: router.group("auth").add(middleware: tokenEndpoint))
        let access = ReadAccess(store: self.store, consentDefaultPermit: self.settings.consentDefaultPermit)
        let fhir = router.group("fhir").add(middleware: FHIRVersionMiddleware()).add(middleware: authenticated)
        let audit = AuditRoutes(store: self.store, metrics: self.metrics, access: access)
        audit.register(on: fhir)
        let subscriptions = SubscriptionRoutes(
            store: self.store,
            settings: self.settings,
            metrics: self.metrics,
            changed: self.subscriptionsChanged
        )
        BundleRoutes(store: self.store, settings: self.settings, metrics: self.metrics).register(on: fhir)
        SearchRoutes(
            store: self.store,
            settings: self.settings,
            metrics: self.metrics,
            access: access,
            audit: audit,
            subscriptions: subscriptions
        ).register(on: fhir)
        ResourceRoutes(
            store: self.store,
            settings: self.settings,
            metrics: self.metrics,
            access: access,
            answers: HandoffTaskAnswer(store: self.store, metrics: self.metrics, access: access, clock: self.clock),
            subscriptions: subscriptions
        ).register(on: fhir)
        let episodes = router.group("episodes").add(middleware: authenticated)
        EpisodeRoutes(store: self.store, metrics: self.metrics, access: access).register(on: episodes)
        let unmatched = router.group("unmatched").add(middleware: authenticated)
        UnmatchedRoutes(store: self.store, metrics: self.metrics, access: access).register(on: unmatched)
        let measures = router.group("measures").add(middleware: authenticated)
        MeasureRoutes(measures: self.measures, metrics: self.metrics).register(on: measures)
        if let administration = self.administration {
            let deliveries = router.group("deliveries").add(middleware: authenticated)
            DeliveryRoutes(administration: administration, metrics: self.metrics, access: access).register(
                on: deliveries
            )
        }
        self.console?.register(on: router)
        return router
    }

    /// The measures over the stored episodes, cut by the configured partners.
    var measures: EpisodeMeasures {
        EpisodeMeasures(store: self.store, audiences: self.settings.measureAudiences)
    }

    /// What runs beside the HTTP server: the audit summaries of rate-limited requests and the measure
    /// gauges. Add them to the `ServiceGroup` after the store, so they flush before it closes.
    public func services(logger: Logger) -> [any Service] {
        [
            MeasureGauges(
                measures: self.measures,
                metrics: self.metrics,
                interval: self.settings.measureGaugeInterval,
                logger: logger
            ),
            RefusalSummaries(
                limiter: self.limiter,
                store: self.store,
                interval: self.settings.limits.refusalSummaryInterval,
                logger: logger
            ),
        ]
    }
}
