import ArgumentParser
import Delivery
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// `tandem sink`: a partner endpoint for tests and demos. The logic is ``PartnerSink`` in Delivery; this
/// file only wires it to HTTP and standard output.
struct SinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "Run a partner endpoint that verifies signatures and prints each notification that arrives.",
        discussion: """
            Accepts POSTs on any path and prints one line per arrival: delivery id, event number, episode, \
            partner and verdict (in-order, gap, duplicate by delivery id, late), and the signature check.

            --fail takes comma-separated steps, one per request, in order; when they run out every request \
            is accepted, unless the last step is 'repeat'. Steps: ok; an HTTP status (500); a status with \
            Retry-After seconds (503:5); delay=3s or delay=250ms (then accept); drop (close the connection \
            unanswered). Any step may end in xN to repeat it. Example: --fail "500x2,delay=3s,drop,400".
            """
    )

    @Option(help: "The port to listen on.")
    var port: Int = 9090

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The HMAC secret; requests with a missing or wrong X-Tandem-Signature are answered 401.")
    var secret: String?

    @Option(help: "How far X-Tandem-Timestamp may be from this clock, in seconds.")
    var tolerance: Int = 300

    @Option(name: .customLong("fail"), help: "A failure schedule, as in \"500x2,delay=3s,drop,400\".")
    var failSchedule: String = ""

    func validate() throws {
        do {
            _ = try FailureSchedule(parsing: self.failSchedule)
        } catch {
            throw ValidationError("\(error)")
        }
        guard (0...65535).contains(self.port) else { throw ValidationError("--port must be 0-65535") }
    }

    func run() async throws {
        let sink = SinkState(
            PartnerSink(
                verifier: SignatureVerifier(secret: self.secret, tolerance: .seconds(self.tolerance)),
                schedule: try FailureSchedule(parsing: self.failSchedule)
            )
        )
        let router = sink.router()
        var logger = Logger(label: "tandem.sink")
        logger.logLevel = .warning
        let schedule = self.failSchedule.isEmpty ? "" : ", failing on schedule \(self.failSchedule)"
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(self.host, port: self.port), serverName: "tandem-sink"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                SinkState.print("sink listening on http://\(self.host):\(port)\(schedule)")
            },
            logger: logger
        )
        try await app.runService()
    }
}

/// The sink behind a lock: handlers run concurrently on the server's event loops.
final class SinkState: Sendable {
    private let sink: Mutex<PartnerSink>
    private let report: @Sendable (String) -> Void
    private let observe: @Sendable (PartnerSink.Arrival, PartnerSink.Receipt) -> Void

    /// - Parameters:
    ///   - report: where each line goes; standard output for `tandem sink`, nowhere for `tandem bench delivery`.
    ///   - observe: sees every verified arrival with its receipt (the benchmark's clock and counters).
    init(
        _ sink: PartnerSink,
        report: @escaping @Sendable (String) -> Void = SinkState.print,
        observe: @escaping @Sendable (PartnerSink.Arrival, PartnerSink.Receipt) -> Void = { _, _ in }
    ) {
        self.sink = Mutex(sink)
        self.report = report
        self.observe = observe
    }

    /// The routes of a sink: every POST, on any path, goes to ``handle(_:context:)``.
    func router() -> Router<SinkRequestContext> {
        let router = Router(context: SinkRequestContext.self)
        router.post("/") { request, context in try await self.handle(request, context: context) }
        router.post("**") { request, context in try await self.handle(request, context: context) }
        return router
    }

    func handle(_ request: Request, context: SinkRequestContext) async throws -> Response {
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
    static func print(_ line: String) {
        let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())
        FileHandle.standardOutput.write(Data("\(time) \(line)\n".utf8))
    }
}

/// Keeps the connection's channel so a scheduled `drop` can close it.
struct SinkRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
