import ArgumentParser
import Delivery
import Foundation
import Logging
import PostgresNIO
import Store

/// `tandem-bench postgres-round-trip --url URL`: what one statement's round trip costs through
/// postgres-nio, the driver the gateway uses, on one connection, one after another: `SELECT 1` as an
/// unnamed statement (parsed and planned each time) and as a prepared one.
///
/// Per round trip it prints this process's CPU (`getrusage`), the server backend's CPU (`/proc/PID/stat`
/// of the connection's backend, so only where PostgreSQL runs on this machine) and the wall time. An
/// ingest is a number of round trips (docs/performance.md), so this is a floor under its cost that no
/// statement of Tandem's own can go below.
struct PostgresRoundTripCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres-round-trip",
        abstract: "Measure one PostgreSQL round trip through postgres-nio: client and server CPU, wall time."
    )

    @Option(help: "The database, as a store URL: postgres://user@host:port/database.")
    var url: String

    @Option(help: "Connect through this Unix socket instead of the URL's host and port.")
    var unixSocket: String?

    @Option(help: "Seconds spent on each kind of statement.")
    var seconds: Double = 3

    private struct SelectOne: PostgresPreparedStatement {
        typealias Row = Int32
        static let sql = "SELECT 1"
        func makeBindings() throws -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> Int32 { try row.decode(Int32.self) }
    }

    func run() async throws {
        let endpoint = try PostgresEndpoint(url: self.url)
        let configuration =
            if let socket = self.unixSocket {
                PostgresClient.Configuration(
                    unixSocketPath: socket,
                    username: endpoint.username,
                    password: endpoint.password,
                    database: endpoint.database
                )
            } else {
                endpoint.benchClientConfiguration
            }
        let client = PostgresClient(configuration: configuration)
        let logger = {
            var logger = Logger(label: "postgres-round-trip")
            logger.logLevel = .warning
            return logger
        }()
        let duration = self.seconds
        let rows = try await withThrowingTaskGroup(of: [Measurement]?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            group.addTask {
                try await client.withConnection { connection in
                    let backend = try await connection.query("SELECT pg_backend_pid()", logger: logger)
                        .collect().first?.decode(Int32.self)
                    let unnamed = try await Self.measure("SELECT 1, unnamed", seconds: duration, backend: backend) {
                        _ = try await connection.query("SELECT 1", logger: logger).collect()
                    }
                    let prepared = try await Self.measure("SELECT 1, prepared", seconds: duration, backend: backend) {
                        for try await _ in try await connection.execute(SelectOne(), logger: logger) {}
                    }
                    return [unnamed, prepared]
                }
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let rows = next { return rows }
            }
            return []
        }
        print("statement            round trips/s  client CPU µs  server CPU µs  wall µs")
        for row in rows {
            print(
                row.name.padding(toLength: 21, withPad: " ", startingAt: 0)
                    + String(format: "%13.0f  %13.1f  %13@  %7.1f", row.perSecond, row.client, row.server, row.wall)
            )
        }
    }

    private struct Measurement {
        var name: String
        var perSecond: Double
        var client: Double
        var server: String
        var wall: Double
    }

    private static func measure(
        _ name: String,
        seconds: Double,
        backend: Int32?,
        _ roundTrip: () async throws -> Void
    ) async throws -> Measurement {
        for _ in 0..<200 { try await roundTrip() }
        let cpu = ProcessCPU.seconds
        let server = backend.flatMap(Self.cpuSeconds(ofProcess:))
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(Int(seconds * 1000))
        var count = 0
        while ContinuousClock.now < deadline {
            for _ in 0..<100 { try await roundTrip() }
            count += 100
        }
        let wall = (ContinuousClock.now - started).inSeconds
        let clientMicroseconds = (ProcessCPU.seconds - cpu) / Double(count) * 1_000_000
        let serverMicroseconds = server.flatMap { before in
            backend.flatMap(Self.cpuSeconds(ofProcess:)).map { ($0 - before) / Double(count) * 1_000_000 }
        }
        return Measurement(
            name: name,
            perSecond: Double(count) / wall,
            client: clientMicroseconds,
            server: serverMicroseconds.map { String(format: "%.1f", $0) } ?? "-",
            wall: wall / Double(count) * 1_000_000
        )
    }

    /// User and system CPU seconds of a process on this machine, from `/proc/PID/stat`.
    private static func cpuSeconds(ofProcess pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based), so 11 and 12 here.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
