import Delivery
import Foundation
import HTTPTypes
public import Hummingbird
public import NIOCore
import Synchronization

/// The sink behind a lock: handlers run concurrently on the server's event loops.
public final class SinkState: Sendable {
    private let sink: Mutex<PartnerSink>
    private let report: @Sendable (String) -> Void
    private let observe: @Sendable (PartnerSink.Arrival, PartnerSink.Receipt) -> Void

    /// - Parameters:
    ///   - report: where each line goes; standard output for `tandem sink`, nowhere for `tandem-bench delivery`.
    ///   - observe: sees every verified arrival with its receipt (the benchmark's clock and counters).
    public init(
        _ sink: PartnerSink,
        report: @escaping @Sendable (String) -> Void = SinkState.print,
        observe: @escaping @Sendable (PartnerSink.Arrival, PartnerSink.Receipt) -> Void = { _, _ in }
    ) {
        self.sink = Mutex(sink)
        self.report = report
        self.observe = observe
    }

    /// The routes of a sink: every POST, on any path, goes to ``handle(_:context:)``.
    public func router() -> Router<SinkRequestContext> {
        let router = Router(context: SinkRequestContext.self)
        router.post("/") { request, context in try await self.handle(request, context: context) }
        router.post("**") { request, context in try await self.handle(request, context: context) }
        return router
    }

    /// Answers one POST as the sink's schedule and ledger decide.
    public func handle(_ request: Request, context: SinkRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { request.headers[$0] } }
        typealias H = DeliverySignature.Header
        let arrival = PartnerSink.Arrival(
            deliveryID: header(H.deliveryID),
            partner: header(H.partner),
            episode: header(H.episode),
            eventNumber: header(H.eventNumber),
            timestamp: header(H.timestamp),
            signature: header(H.signature),
            redeliveryOf: header(H.redeliveryOf),
            notification: header(H.notification),
            traceparent: header("traceparent"),
            body: Array(buffer: body)
        )
        let behaviour = self.sink.withLock { $0.nextBehaviour() }
        switch behaviour {
        case .status(let status, let retryAfter):
            self.report(PartnerSink.failureLine(arrival, behaviour: behaviour))
            var headers = HTTPFields()
            if let retryAfter { headers[.retryAfter] = String(retryAfter) }
            return Response(status: .init(code: status), headers: headers)
        case .drop:
            self.report(PartnerSink.failureLine(arrival, behaviour: behaviour))
            // Close the connection under the request: the client gets no response at all.
            try? await context.channel.close()
            throw HTTPError(.serviceUnavailable)
        case .delay(let duration):
            try await Task.sleep(for: duration)
        case .accept:
            break
        }
        let now = Int64(Date().timeIntervalSince1970)
        let receipt = self.sink.withLock { $0.accept(arrival, now: now) }
        self.report(receipt.line)
        self.observe(arrival, receipt)
        return Response(status: .init(code: receipt.status))
    }

    /// One line with a UTC time stamp, written unbuffered so a pipe sees it at once.
    public static func print(_ line: String) {
        let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())
        FileHandle.standardOutput.write(Data("\(time) \(line)\n".utf8))
    }
}

/// Keeps the connection's channel so a scheduled `drop` can close it.
public struct SinkRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
