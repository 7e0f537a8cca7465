import CoManagement
import Delivery
import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import Server
import ServiceLifecycle
import Store

/// The gateway `tandem serve` runs, answering in this process on a private in-memory store: what
/// `replay --dry-run` posts each file to, so that it applies exactly the rules the server applies.
///
/// The requests go through the gateway's own router, middleware and routes, authenticated as one sender
/// whose token only this value knows. The store plans deliveries for the configured partners; nothing
/// is ever sent.
struct InProcessGateway: Sendable {
    let store: any OutboxStore
    private let responder: RouterResponder<GatewayRequestContext>
    private let token: String
    private let logger: Logger

    /// Opens a private store, runs it for the duration of `body`, and closes it.
    static func run<Value: Sendable>(
        mappings: MappingSet,
        partners: [Partner],
        consentDefaultPermit: Bool,
        sender: String,
        _ body: @Sendable (InProcessGateway) async throws -> Value
    ) async throws -> Value {
        let logger = Logger(label: "tandem.dry-run", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try await StoreURL.sqlite(.memory).open(
            normaliser: Normaliser(mappings: mappings),
            outboxPlanning: OutboxPlanner(
                partners: partners,
                consentDefaultPermit: consentDefaultPermit,
                builder: NotificationBuilder(baseURL: "http://dry-run.invalid/fhir")
            ),
            logger: logger
        )
        let token = UUID().uuidString
        let settings = GatewaySettings(
            senders: [Sender(name: sender, tokenHash: Sender.hash(token: token), allowedTypes: ["*"])],
            consentDefaultPermit: consentDefaultPermit
        )
        let gateway = InProcessGateway(
            store: store,
            responder: Gateway(store: store, settings: settings, metrics: GatewayMetrics()).router().buildResponder(),
            token: token,
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            return try await body(gateway)
        }
    }

    /// Sends one request as the sender and returns the status and body of the answer.
    func send(_ method: HTTPRequest.Method, path: String, body: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(self.token)"
        headers[.contentType] = (WireFormat.sniff(body) ?? .json).mediaType
        headers[.accept] = WireFormat.json.mediaType
        headers[.contentLength] = String(body.count)
        let request = Request(
            head: HTTPRequest(
                method: method,
                scheme: "http",
                authority: "dry-run.invalid",
                path: path,
                headerFields: headers
            ),
            body: RequestBody(buffer: ByteBuffer(bytes: body))
        )
        let context = GatewayRequestContext(
            source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: self.logger)
        )
        let response = try await self.responder.respond(to: request, context: context)
        let collector = BodyCollector()
        try await response.body.write(collector)
        return (response.status.code, collector.bytes)
    }
}

/// Collects a response body in memory.
private final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    // Written by one response body writer at a time, then read once it has finished.
    private(set) var bytes: [UInt8] = []

    func write(_ buffer: ByteBuffer) async throws {
        self.bytes += buffer.readableBytesView
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
