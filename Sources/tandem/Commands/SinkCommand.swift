import ArgumentParser
import Hummingbird
import Logging
import Sink

/// `tandem sink`: a partner endpoint for tests and demos. The logic is the Sink target's (``PartnerSink``
/// behind ``SinkState``); this command only reads its options and runs it.
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
