import FHIRCore
import HTTPTypes
import Hummingbird
import Store

/// `GET /fhir/AuditEvent`: the audit trail, newest first, as AuditEvent resources in a searchset Bundle.
///
/// `_count` limits the page (default 100, at most 1000); no other search parameters are supported.
/// Operators only.
struct AuditRoutes: Sendable {
    let store: any Store
    let metrics: GatewayMetrics
    let access: ReadAccess

    static let defaultCount = 100
    static let maximumCount = 1000

    func register(on fhir: RouterGroup<GatewayRequestContext>) {
        fhir.get("AuditEvent", use: self.search)
    }

    @Sendable func search(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        try self.access.requireOperator(
            try RouteInput.principal(context),
            toSearch: ["AuditEvent"],
            what: "the audit trail"
        )
        let count = try RouteInput.count(request, default: Self.defaultCount, maximum: Self.maximumCount)
        let entries = try await self.metrics.timeStore("audit") { try await self.store.auditTrail(limit: count) }
        context.access.note(entity: "AuditEvent")
        context.access.note(detail: "\(entries.count) records")
        let bundle = AuditEventRenderer.searchset(entries, base: ResourceResponse.base(request))
        return ResourceResponse.body(bundle, status: .ok, format: context.responseFormat)
    }
}
