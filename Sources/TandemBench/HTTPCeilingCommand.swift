import ArgumentParser
import Hummingbird
import Logging

/// `tandem-bench http-ceiling --port N` (hidden): a bare Hummingbird server whose every POST answers 201
/// and does nothing else, for `scripts/bench-ingest.sh` to measure beside `tandem serve` in the same run.
///
/// Same framework, same event loops, same loopback: the difference between the two figures is what
/// parsing, validation, normalisation and durable commits cost. `GET /count` answers how many it answered.
struct HTTPCeilingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-ceiling",
        abstract: "Serve a route that answers 201 and does nothing (the HTTP ceiling).",
        shouldDisplay: false
    )

    @Option(help: "The 127.0.0.1 port to listen on.")
    var port: Int = 8081

    func run() async throws {
        let answered = AnswerCount()
        let router = Router()
        router.post("**") { request, _ -> HTTPResponse.Status in
            // Read the body as the gateway must, so the ceiling pays for the same bytes on the wire.
            _ = try await request.body.collect(upTo: 4 << 20)
            answered.increment()
            return .created
        }
        answered.addRoute(to: router)
        var logger = Logger(label: "http-ceiling")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: self.port)),
            logger: logger
        )
        try await app.runService()
    }
}
