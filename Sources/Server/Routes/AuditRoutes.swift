import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// `GET /fhir/AuditEvent` (and `POST /fhir/AuditEvent/_search`): the audit trail as AuditEvent resources
/// in a searchset Bundle, newest first unless `_sort=_lastUpdated`. Operators only.
///
/// Parameters: `date` and `_lastUpdated` (the record's time, with prefixes), `agent` (the account's
/// name), `entity` (a resource the record names, any version of it, or its patient: `Patient/id` or
/// `system|value`), `type` (`rest` for REST interactions, `110106` for deliveries to partners),
/// `outcome` (`0`, `4`, `8`, `12`), `_count` (default 100, at most 1000), `_sort`.
struct AuditRoutes: Sendable {
    let store: any Store
    let metrics: GatewayMetrics
    let access: ReadAccess

    static let defaultCount = 100
    static let maximumCount = 1000
    static let parameters = ["date", "agent", "entity", "type", "outcome"]

    func register(on fhir: RouterGroup<GatewayRequestContext>) {
        // Written by the gateway alone: every other method is 405, as the CapabilityStatement says.
        for method in [HTTPRequest.Method.post, .put, .delete, .patch] {
            fhir.on("AuditEvent", method: method) { request, _ -> Response in
                throw FHIRError.methodNotAllowed(request.method, request.uri.path)
            }
        }
        fhir.get("AuditEvent") { request, context in
            try await self.search(
                SearchRequest.pairs(request.uri.query),
                strict: SearchRequest.isStrict(request.headers[.prefer]),
                context: context
            )
        }
    }

    func search(_ pairs: [(String, String)], strict: Bool, context: GatewayRequestContext) async throws -> Response {
        try self.access.requireOperator(
            try RouteInput.principal(context),
            toSearch: ["AuditEvent"],
            what: "the audit trail"
        )
        var query = AuditQuery(count: Self.defaultCount)
        var bound = DateBound(from: nil, before: nil)
        var cursor: String?
        var kept: [(name: String, value: String)] = []
        for (name, value) in pairs {
            let values = value.split(separator: ",").map(String.init)
            switch name {
            case "_format", "_pretty": continue
            case "date", "_lastUpdated":
                bound = bound.intersection(
                    try DateBound(value.replacingOccurrences(of: " ", with: "+"), parameter: name)
                )
            case "agent": query.agents = (query.agents ?? []) + values
            case "entity": query.entities = (query.entities ?? []) + values
            case "outcome":
                // audit-event-outcome: 0 success, 4 minor, 8 serious, 12 major failure.
                guard values.allSatisfy(["0", "4", "8", "12"].contains) else {
                    throw FHIRError(.badRequest, .value, "outcome must be 0, 4, 8 or 12, not '\(value)'")
                }
                query.outcomes = (query.outcomes ?? []) + values
            case "type":
                let codes = Set(values.map { String($0.split(separator: "|").last ?? "") })
                guard codes.isSubset(of: ["rest", AuditEventRenderer.exportCode]) else {
                    throw FHIRError(.badRequest, .value, "type must be rest or \(AuditEventRenderer.exportCode)")
                }
                if codes.count == 1 { query.deliveries = codes.contains(AuditEventRenderer.exportCode) }
            case "_count":
                query.count = try SearchRequest.count(value, maximum: Self.maximumCount)
            case "_sort":
                switch value {
                case "_lastUpdated", "date": query.newestFirst = false
                case "-_lastUpdated", "-date": query.newestFirst = true
                default:
                    if strict { throw FHIRError(.badRequest, .notSupported, "_sort=\(value) is not supported") }
                    continue
                }
            case "_cursor":
                cursor = value
                continue
            default:
                if strict {
                    throw FHIRError(
                        .badRequest,
                        .notSupported,
                        "\(name): not a search parameter of AuditEvent (Prefer: handling=strict)"
                    )
                }
                continue
            }
            kept.append((name, value))
        }
        (query.from, query.before) = (bound.from, bound.before)
        query.after = try SearchCursor.audit(cursor)
        let requested = query.count
        // One more than asked for tells whether a next page exists.
        query.count = requested + 1
        let page = try await self.metrics.timeStore("audit") { try await self.store.auditEvents(query) }
        let entries = Array(page.entries.prefix(requested))
        context.access.note(entity: "AuditEvent")
        context.access.note(detail: "\(entries.count) of \(page.total) records")
        let next =
            page.entries.count > requested && requested > 0
            ? entries.last?.id.map { SearchCursor.encode(auditAfter: $0) } : nil
        let bundle = SearchBundle.make(
            matches: entries.map(AuditEventRenderer.auditEvent),
            total: page.total,
            base: context.fhirBase,
            type: "AuditEvent",
            parameters: kept,
            next: next
        )
        return ResourceResponse.body(bundle, status: .ok, format: context.responseFormat)
    }
}
