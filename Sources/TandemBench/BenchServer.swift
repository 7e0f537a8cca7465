import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import Store
import UnixSignals

/// How the bench servers run: the router on 127.0.0.1, started after the services it writes through and
/// stopped before them (as `tandem serve` orders its store and server), until SIGTERM or SIGINT.
enum BenchServer {
    static func run(
        _ router: Router<BasicRequestContext>,
        port: Int,
        after services: [any Service],
        logger: Logger
    ) async throws {
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
            logger: logger
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
                    + [.init(service: app)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}

extension PostgresEndpoint {
    /// A client configuration for the benchmarks: the endpoint over TCP, without TLS (the benchmarks' server
    /// is the local throwaway cluster).
    var benchClientConfiguration: PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: self.host,
            port: self.port,
            username: self.username,
            password: self.password,
            database: self.database,
            tls: .disable
        )
    }
}
