import CoManagement
import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Store

/// `GET /measures?serviceLine=&partner=&from=&to=`: measures across episodes, per service line and
/// partner (``CoManagement/MeasureRow``), as JSON, or as a Bundle of FHIR `MeasureReport`s when the
/// client asks for FHIR (`_format`, or a FHIR `Accept`).
///
/// Operators read every row. A partner reads its own rows only (the episodes it takes part in or watches
/// by service line): `partner` defaults to it and naming another is refused. Senders are refused. Each
/// read is audited as the other reads are.
struct MeasureRoutes: Sendable {
    let measures: EpisodeMeasures
    let metrics: GatewayMetrics

    /// The type a SMART grant must permit searching.
    static let type = "MeasureReport"

    func register(on measures: RouterGroup<GatewayRequestContext>) {
        measures.get(use: self.list)
    }

    @Sendable func list(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let principal = try RouteInput.principal(context)
        var query = MeasureQuery(
            serviceLine: parameters.get("serviceLine"),
            partner: parameters.get("partner"),
            from: try Self.instant(parameters.get("from"), "from"),
            to: try Self.instant(parameters.get("to"), "to")
        )
        switch principal.role {
        case .operator:
            break
        case .partner(let account):
            if let asked = query.partner, asked != account.id {
                throw FHIRError(.forbidden, .forbidden, "a partner may read only its own measures ('\(account.id)')")
            }
            query.partner = account.id
        case .sender:
            throw FHIRError(.forbidden, .forbidden, "only operators and partners may read the measures")
        }
        try principal.grant.require(.search, on: Self.type, for: principal)
        let rows = try await self.metrics.timeStore("measures") { try await self.measures.rows(query) }
        context.access.note(entity: "measures")
        context.access.note(detail: "\(rows.count) rows")
        let explicit = parameters.get("_format") != nil || (request.headers[.accept]?.contains("fhir") ?? false)
        guard explicit else {
            let body = try SortedKeysJSONEncoder().encode(["measures": rows])
            return Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: body))
            )
        }
        let now = FHIRTime.instant(Date())
        let bundle = MeasureReportBuilder.bundle(
            rows,
            start: query.from?.fhirText ?? "1970-01-01T00:00:00Z",
            end: query.to?.fhirText ?? now,
            date: now
        )
        return ResourceResponse.body(bundle, status: .ok, format: context.responseFormat)
    }

    /// A `from` or `to` parameter: a FHIR date or dateTime.
    static func instant(_ text: String?, _ name: String) throws(FHIRError) -> FHIRInstant? {
        guard let text else { return nil }
        guard let instant = FHIRInstant(text) else {
            throw FHIRError(.badRequest, .invalid, "\(name) must be a FHIR date or dateTime, not '\(text)'")
        }
        return instant
    }
}
