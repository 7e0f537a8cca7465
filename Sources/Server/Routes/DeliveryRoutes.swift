import CoManagement
import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Store

/// `GET /deliveries` and `GET /deliveries/{row-or-delivery-id}`: the outbox as operators see it with
/// `tandem deliveries list` and `show`, in JSON. `?partner=`, `?episode=`, `?state=` (pending, leased,
/// delivered, dead) and `_count` (default 50, at most 1000) narrow the list, newest first. Operators only.
struct DeliveryRoutes: Sendable {
    let administration: any DeliveryAdministration
    let metrics: GatewayMetrics
    let access: ReadAccess

    static let defaultCount = 50
    static let maximumCount = 1000

    func register(on deliveries: RouterGroup<GatewayRequestContext>) {
        deliveries.get(use: self.list)
        deliveries.get(":id", use: self.show)
    }

    @Sendable func list(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        try self.access.requireOperator(try RouteInput.principal(context), toSearch: ["*"], what: "the deliveries")
        let parameters = request.uri.queryParameters
        var state: DeliveryState?
        if let text = parameters.get("state") {
            guard let parsed = DeliveryState(rawValue: text) else {
                throw FHIRError(.badRequest, .value, "state must be pending, leased, delivered or dead, not '\(text)'")
            }
            state = parsed
        }
        let query = DeliveryQuery(
            partner: parameters.get("partner"),
            episode: parameters.get("episode"),
            state: state,
            limit: try RouteInput.count(request, default: Self.defaultCount, maximum: Self.maximumCount)
        )
        let records = try await self.metrics.timeStore("deliveries") { try await self.administration.deliveries(query) }
        context.access.note(entity: "deliveries")
        context.access.note(detail: "\(records.count) deliveries")
        return try Self.json(["deliveries": records.map(DeliveryJSON.init)])
    }

    @Sendable func show(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        try self.access.requireOperator(try RouteInput.principal(context), toSearch: ["*"], what: "the deliveries")
        let key = DeliveryKey(context.parameters.get("id") ?? "")
        let found = try await self.metrics.timeStore("deliveries") { try await self.administration.delivery(key) }
        guard let detail = found else { throw FHIRError(.notFound, .notFound, "\(key) is not known") }
        context.access.note(entity: "deliveries/\(detail.record.row)")
        return try Self.json(DeliveryDetailJSON(detail))
    }

    private static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value)))
        )
    }
}

/// One outbox row in the JSON of `GET /deliveries`.
private struct DeliveryJSON: Encodable {
    var row: Int64
    var deliveryId: String
    var subscription: String
    var episode: String
    var eventNumber: Int
    var event: String
    var timelineEvent: Int
    var source: String
    var state: String
    var attempts: Int
    var nextAttemptAt: Date
    var createdAt: Date
    var requeuedAt: Date?
    var lastError: String?
    var redeliveryOf: String?

    init(_ record: DeliveryRecord) {
        self.row = record.row
        self.deliveryId = record.deliveryID
        self.subscription = record.partnerID
        self.episode = record.episodeID
        self.eventNumber = record.eventNumber
        self.event = record.event.kind.rawValue
        self.timelineEvent = record.event.number
        self.source = record.event.source
        self.state = record.state.rawValue
        self.attempts = record.attempts
        self.nextAttemptAt = record.nextAttemptAt
        self.createdAt = record.createdAt
        self.requeuedAt = record.requeuedAt
        self.lastError = record.lastError
        self.redeliveryOf = record.redeliveryOf
    }
}

/// One delivery with its attempts and body, as `GET /deliveries/{id}` answers.
private struct DeliveryDetailJSON: Encodable {
    struct Attempt: Encodable {
        var number: Int
        var startedAt: Date
        var status: Int?
        var error: String?
        var durationMs: Int64
        var httpVersion: String?
    }

    var delivery: DeliveryJSON
    var attempts: [Attempt]
    /// The notification as sent (its text).
    var body: String

    init(_ detail: DeliveryDetail) {
        self.delivery = DeliveryJSON(detail.record)
        self.attempts = detail.attempts.map {
            Attempt(
                number: $0.number,
                startedAt: $0.startedAt,
                status: $0.status,
                error: $0.error,
                durationMs: $0.milliseconds,
                httpVersion: $0.httpVersion
            )
        }
        self.body = String(decoding: detail.body, as: UTF8.self)
    }
}
