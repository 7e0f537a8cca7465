import ArgumentParser
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import Store

/// `tandem-bench postgres-floor --port N --url URL` (hidden): a bare Hummingbird server whose every POST
/// appends its body to PostgreSQL in a transaction of `--round-trips` round trips (`BEGIN`, the insert,
/// `SELECT 1` for the rest, `COMMIT`) on a pool of `--connections`, as a replica's pool does, and answers
/// 201 once that committed. `GET /count` answers how many were committed.
///
/// For `scripts/bench-replicas.sh`'s `pgfloor-N` setups: N of these on one database beside N gateway
/// replicas shows what this machine gives N processes that do a gateway's round trips and nothing else.
struct PostgresFloorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres-floor",
        abstract: "Serve a route that appends each body to PostgreSQL in a transaction of N round trips.",
        shouldDisplay: false
    )

    @Option(help: "The 127.0.0.1 port to listen on.")
    var port: Int = 8083

    @Option(help: "The database, as a store URL: postgres://user@host:port/database.")
    var url: String

    @Option(help: "Round trips per request, BEGIN and COMMIT included (at least 3).")
    var roundTrips: Int = 7

    @Option(help: "The pool's connections.")
    var connections: Int = 8

    private struct AppendBody: PostgresPreparedStatement {
        typealias Row = Int64
        static let name = "floor_append_body"
        static let sql = "INSERT INTO appended_body (body) VALUES ($1) RETURNING id"
        var body: [UInt8]
        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(ByteBuffer(bytes: self.body))
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    private struct SelectOne: PostgresPreparedStatement {
        typealias Row = Int32
        static let name = "floor_select_one"
        static let sql = "SELECT 1"
        func makeBindings() throws -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> Int32 { try row.decode(Int32.self) }
    }

    func run() async throws {
        guard self.roundTrips >= 3 else { throw ValidationError("--round-trips must be at least 3") }
        let logger = {
            var logger = Logger(label: "postgres-floor")
            logger.logLevel = .warning
            return logger
        }()
        let endpoint = try PostgresEndpoint(url: self.url)
        var configuration = endpoint.benchClientConfiguration
        configuration.options.maximumConnections = max(1, self.connections)
        var quiet = logger
        quiet.logLevel = .error
        let client = PostgresClient(configuration: configuration, backgroundLogger: quiet)
        let selects = self.roundTrips - 3
        let committed = AnswerCount()
        let router = Router()
        router.post("**") { request, _ -> HTTPResponse.Status in
            let body = Array(buffer: try await request.body.collect(upTo: 4 << 20))
            try await client.withConnection { connection in
                _ = try await connection.query("BEGIN", logger: logger)
                do {
                    for try await _ in try await connection.execute(AppendBody(body: body), logger: logger) {}
                    for _ in 0..<selects {
                        for try await _ in try await connection.execute(SelectOne(), logger: logger) {}
                    }
                    _ = try await connection.query("COMMIT", logger: logger)
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
            committed.increment()
            return .created
        }
        committed.addRoute(to: router)
        try await Self.makeTable(configuration: configuration, logger: quiet)
        try await BenchServer.run(
            router,
            port: self.port,
            after: [PostgresClientService(client: client)],
            logger: logger
        )
    }

    /// Makes the floor's table before the server starts, on a client of its own; another floor on the same
    /// database may be making it at the same time, so a failure is tried again.
    private static func makeTable(configuration: PostgresClient.Configuration, logger: Logger) async throws {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await client.run() }
            defer { tasks.cancelAll() }
            for attempt in 1... {
                do {
                    _ = try await client.query(
                        "CREATE TABLE IF NOT EXISTS appended_body (id bigserial PRIMARY KEY, body bytea NOT NULL)",
                        logger: logger
                    )
                    return
                } catch {
                    guard attempt < 5 else { throw error }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
    }
}

/// Runs a `PostgresClient` as a service of the floor's group.
private struct PostgresClientService: Service {
    let client: PostgresClient

    func run() async throws {
        await self.client.run()
    }
}
