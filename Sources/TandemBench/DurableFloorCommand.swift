import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Store
import UnixSignals

/// `tandem-bench durable-floor --port N --database PATH` (hidden): a bare Hummingbird server whose every
/// POST appends its body to SQLite and answers 201 once that is committed, for `scripts/bench-ingest.sh`
/// to measure beside `tandem serve` in the same run.
///
/// The append goes through the gateway's own ``SQLiteStore`` writer (``SQLiteStore/append(_:)``): the same
/// group commit, WAL and `synchronous` settings, checkpointer and WAL restarts. So the floor is the cost of
/// accepting a message durably and nothing more; the gateway's distance to it is parsing, validation,
/// normalisation, and the rows it writes beyond the body. `GET /count` answers how many were committed.
struct DurableFloorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "durable-floor",
        abstract: "Serve a route that appends each body to SQLite with the store's group commit, then answers 201.",
        shouldDisplay: false
    )

    @Option(help: "The 127.0.0.1 port to listen on.")
    var port: Int = 8082

    @Option(help: "The SQLite database file (created, with its directory).")
    var database: String

    func run() async throws {
        var logger = Logger(label: "durable-floor")
        logger.logLevel = .warning
        let store = try await SQLiteStore.openForAppending(at: .file(self.database), logger: logger)
        let committed = AnswerCount()
        let router = Router()
        router.post("**") { request, _ -> HTTPResponse.Status in
            // The same limit as the ceiling: the body is read whole, as the gateway reads it.
            let body = try await request.body.collect(upTo: 4 << 20)
            try await store.append(Array(buffer: body))
            committed.increment()
            return .created
        }
        committed.addRoute(to: router)
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: self.port)),
            logger: logger
        )
        // As in `tandem serve`: the store first, so that it stops after the server and commits what the
        // server has queued.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: store), .init(service: app)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
