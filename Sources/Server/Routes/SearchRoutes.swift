import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// Search: `GET /fhir/{type}?…` and `POST /fhir/{type}/_search` (parameters in the query, a form body or
/// both), answered with a `searchset` Bundle (https://hl7.org/fhir/R4/search.html). The parameters per
/// type are ``SearchParameter``'s; results are what the caller may read (``ReadAccess/searchScope(type:for:)``),
/// paged with an opaque cursor, each search audited with the type and patient it named.
struct SearchRoutes: Sendable {
    let store: any Store
    let settings: GatewaySettings
    let metrics: GatewayMetrics
    let access: ReadAccess
    let audit: AuditRoutes
    let subscriptions: SubscriptionRoutes

    func register(on fhir: RouterGroup<GatewayRequestContext>) {
        fhir.get(":type", use: self.search)
        fhir.post(":type/_search", use: self.search)
    }

    @Sendable func search(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let type = try RouteInput.resourceType(context)
        var pairs = SearchRequest.pairs(request.uri.query)
        if request.method == .post {
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
                throw FHIRError(
                    .unsupportedMediaType,
                    .notSupported,
                    "POST \(type)/_search takes application/x-www-form-urlencoded parameters"
                )
            }
            let body = try await RouteInput.bytes(request, settings: self.settings)
            pairs += SearchRequest.pairs(String(decoding: body, as: UTF8.self))
        }
        let strict = SearchRequest.isStrict(request.headers[.prefer])
        switch type {
        case "AuditEvent": return try await self.audit.search(pairs, strict: strict, context: context)
        case "Subscription": return try await self.subscriptions.search(pairs, strict: strict, context: context)
        default: break
        }
        guard SearchParameter.searchableTypes.contains(type) else {
            throw FHIRError(.methodNotAllowed, .notSupported, "search is not supported on \(type); see /fhir/metadata")
        }
        let principal = try RouteInput.principal(context)
        let search = try SearchRequest.read(type: type, pairs: pairs, strict: strict)
        let scope = try await self.access.searchScope(type: type, for: principal)
        let query = try await SearchQueryBuilder(store: self.store).query(
            search,
            principal: principal,
            scope: scope,
            after: try SearchCursor.resource(search.cursor)
        )
        let page = try await self.metrics.timeStore("search") { try await self.store.search(query) }
        let matches = try page.resources.map(ResourceCodec.element)
        let included = try await self.included(search.includes, of: matches, scope: scope, principal: principal)
        Self.note(search, page: page, context: context)
        let bundle = SearchBundle.make(
            matches: matches,
            included: included,
            total: page.total,
            base: context.fhirBase,
            type: type,
            parameters: search.linkParameters,
            next: page.next.map(SearchCursor.encode)
        )
        return ResourceResponse.body(bundle, status: .ok, format: context.responseFormat)
    }

    /// The resources `paths` of the matches refer to that the caller may read, each once.
    private func included(
        _ paths: [String],
        of matches: [Element],
        scope: ResourceQuery.Scope,
        principal: Principal
    ) async throws -> [Element] {
        guard !paths.isEmpty else { return [] }
        var byType: [String: Set<String>] = [:]
        for resource in matches {
            for path in paths {
                for reference in resource.children(named: path).compactMap(SearchIndex.relative) {
                    let parts = reference.split(separator: "/").map(String.init)
                    byType[parts[0], default: []].insert(parts[1])
                }
            }
        }
        var included: [Element] = []
        for type in byType.keys.sorted() where principal.grant.permits(.read, on: type) {
            let ids = byType[type]!.sorted()
            let page = try await self.store.search(ResourceQuery(type: type, ids: ids, scope: scope, count: ids.count))
            included += try page.resources.map(ResourceCodec.element)
        }
        return included
    }

    /// For the audit record: the type searched, the patient named (by reference or identifier), how many
    /// matched.
    private static func note(_ search: SearchRequest, page: SearchPage, context: GatewayRequestContext) {
        let patient = search.criteria.first { $0.name == "patient" || ($0.name == "subject" && $0.chain != nil) }?
            .values.first
        context.access.note(entity: search.type, patient: patient)
        context.access.note(detail: "\(page.resources.count) of \(page.total)")
    }
}
