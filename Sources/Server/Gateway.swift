import FHIRCore
public import Foundation
public import Hummingbird
public import Store

/// The gateway's HTTP surface: the FHIR REST routes, the CapabilityStatement, health and metrics, with
/// the middleware every request passes (metrics, logging, error rendering, sender authentication).
public struct Gateway: Sendable {
    let store: any Store
    let settings: GatewaySettings
    let metrics: GatewayMetrics
    let startedAt: Date

    public init(store: any Store, settings: GatewaySettings, metrics: GatewayMetrics, startedAt: Date = Date()) {
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self.startedAt = startedAt
    }

    /// The router; serve it with `Application(router:configuration:)`, test it with `app.test(.router)`.
    public func router() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: RequestLoggingMiddleware())
        router.add(middleware: FHIRErrorMiddleware())
        OperationsRoutes(store: self.store, metrics: self.metrics).register(on: router)

        let capabilityStatement = CapabilityStatementBuilder.make(date: self.startedAt, version: "0.1.0")
        router.get("fhir/metadata") { _, context in
            ResourceResponse.body(capabilityStatement, status: .ok, format: context.responseFormat)
        }
        let authentication = AuthenticationMiddleware(principals: PrincipalDirectory(settings: self.settings))
        let access = ReadAccess(store: self.store, consentDefaultPermit: self.settings.consentDefaultPermit)
        let fhir = router.group("fhir").add(middleware: authentication)
        AuditRoutes(store: self.store, metrics: self.metrics, access: access).register(on: fhir)
        BundleRoutes(store: self.store, settings: self.settings, metrics: self.metrics).register(on: fhir)
        ResourceRoutes(store: self.store, settings: self.settings, metrics: self.metrics, access: access)
            .register(on: fhir)
        let episodes = router.group("episodes").add(middleware: authentication)
        EpisodeRoutes(store: self.store, metrics: self.metrics, access: access).register(on: episodes)
        let unmatched = router.group("unmatched").add(middleware: authentication)
        UnmatchedRoutes(store: self.store, metrics: self.metrics, access: access).register(on: unmatched)
        return router
    }
}
