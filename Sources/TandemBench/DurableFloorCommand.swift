import ArgumentParser
import FHIRCore
import Foundation
import Hummingbird
import Logging
import Store

/// `tandem-bench durable-floor --port N --database PATH` (hidden): a bare Hummingbird server whose every
/// POST appends its body to SQLite and answers 201 once that is committed, for `scripts/bench-ingest.sh`
/// to measure beside `tandem serve` in the same run.
///
/// The append goes through the gateway's own ``SQLiteStore`` writer (``SQLiteStore/append(_:)``): the same
/// group commit, WAL and `synchronous` settings, checkpointer and WAL restarts. So the floor is the cost of
/// accepting a message durably and nothing more; the gateway's distance to it is parsing, validation,
/// normalisation, and the rows it writes beyond the body. `GET /count` answers how many were committed.
///
/// `--random-indexes R --ordered-indexes O` add, in the same transaction, an entry keyed by random bytes
/// to each of R tables and one keyed by the body's row id to each of O tables (``AppendedIndexes``): what
/// a durable acceptance costs once each message must also be found by R random keys (a sender's
/// identifier, a patient's name, an episode id) and O ordered ones, as the gateway's messages are.
/// `--read` first reads and validates each body as FHIR (JSON or XML, as sniffed) and appends it written as
/// JSON, answering 400 to what does not validate: the least a FHIR gateway does with a message before its
/// own model.
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

    @Option(help: "How many tables keyed by random bytes each body also adds an entry to.")
    var randomIndexes: Int = 0

    @Option(help: "How many tables keyed by the body's row id each body also adds an entry to.")
    var orderedIndexes: Int = 0

    @Flag(help: "Read and validate each body as FHIR, and append it written as JSON.")
    var read = false

    func run() async throws {
        var logger = Logger(label: "durable-floor")
        logger.logLevel = .warning
        let read = self.read
        let indexes = AppendedIndexes(random: self.randomIndexes, ordered: self.orderedIndexes)
        let store = try await SQLiteStore.openForAppending(
            at: .file(self.database),
            indexes: indexes,
            logger: logger
        )
        let committed = AnswerCount()
        let router = Router()
        router.post("**") { request, _ -> HTTPResponse.Status in
            // The same limit as the ceiling: the body is read whole, as the gateway reads it.
            var body = Array(buffer: try await request.body.collect(upTo: 4 << 20))
            if read {
                guard let resource = Self.validResource(body) else { return .badRequest }
                body = FHIRCodec.write(resource, as: .json)
            }
            try await store.append(body, indexes: indexes)
            committed.increment()
            return .created
        }
        committed.addRoute(to: router)
        // As in `tandem serve`: the store first, so that it stops after the server and commits what the
        // server has queued.
        try await BenchServer.run(router, port: self.port, after: [store], logger: logger)
    }

    /// The body's resource when it reads and validates without an error.
    private static func validResource(_ body: [UInt8]) -> Element? {
        guard let (resource, outcome) = try? FHIRCodec.readAndValidate(body), !outcome.hasErrors else { return nil }
        return resource
    }
}
