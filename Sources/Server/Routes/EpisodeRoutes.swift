import FHIRCore
import HTTPTypes
import Hummingbird
import NIOCore
import Store

/// The co-management read API: `GET /episodes?patient=system|value&serviceLine=…&status=…` and
/// `GET /episodes/{id}`, answering with episode documents (JSON, `Samples/episode-document.schema.json`).
///
/// Each principal sees the episodes ``ReadAccess`` lets it read.
struct EpisodeRoutes: Sendable {
    let store: any Store
    let metrics: GatewayMetrics
    let access: ReadAccess

    static let defaultLimit = 100
    static let maximumLimit = 1000

    func register(on episodes: RouterGroup<GatewayRequestContext>) {
        episodes.get(use: self.list)
        episodes.get(":id", use: self.read)
    }

    /// `{"episodes": [ … ]}`, most recently changed first.
    @Sendable func list(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let limit = try RouteInput.count(request, default: Self.defaultLimit, maximum: Self.maximumLimit)
        let principal = try RouteInput.principal(context)
        let query = try self.access.narrow(
            EpisodeQuery(
                patientKey: parameters.get("patient"),
                serviceLine: parameters.get("serviceLine"),
                status: parameters.get("status"),
                limit: limit
            ),
            for: principal
        )
        let found = try await self.metrics.timeStore("episodes") { try await self.store.episodes(query) }
        let records = self.access.visible(found, to: principal)
        context.access.note(entity: "episodes", patient: parameters.get("patient"))
        context.access.note(detail: "\(records.count) episodes")
        // The stored documents are JSON already: join them rather than decode and encode again.
        var body = Array(#"{"episodes":["#.utf8)
        for (index, record) in records.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += record.document
        }
        body += Array("]}".utf8)
        return Self.json(body)
    }

    /// One episode document: participants, referrals, care plans, handoffs, consent, timeline, measures.
    @Sendable func read(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let principal = try RouteInput.principal(context)
        let record = try await self.metrics.timeStore("episodes") { try await self.store.episode(id: id) }
        guard let record else { throw FHIRError(.notFound, .notFound, "episode '\(id)' is not known") }
        try await self.access.check(record, for: principal)
        context.access.note(entity: "episodes/\(record.id)", patient: record.patientKey)
        var response = Self.json(record.document)
        response.headers[.lastModified] = FHIRTime.httpDate(record.updatedAt)
        return response
    }

    private static func json(_ bytes: [UInt8]) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
