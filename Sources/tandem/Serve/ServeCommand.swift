import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import Server
import ServiceLifecycle
import Store
import UnixSignals

/// `tandem serve`: the gateway. One `ServiceGroup` runs the store's writer and the HTTP server, and
/// shuts both down gracefully on SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway (FHIR REST ingest over the embedded store).",
        discussion: """
            Configuration: --config FILE, else TANDEM_CONFIG, else Samples/config/tandem.json when the working \
            directory has it, else the embedded defaults (127.0.0.1:8080, sqlite:./data/tandem.sqlite). \
            TANDEM_LISTEN=host:port, TANDEM_STORE_URL and TANDEM_MAPPINGS override the file. \
            TANDEM_LOG_LEVEL sets the log level (default info).
            """
    )

    @Option(name: .long, help: "The configuration file (JSON).")
    var config: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let loaded: (ServeConfiguration, String)
        do {
            loaded = try ServeConfiguration.load(path: self.config, environment: environment)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let (settings, source) = loaded
        let level = environment["TANDEM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        // One registry for both: Hummingbird's MetricsMiddleware reports through the global
        // MetricsSystem, and /metrics renders this registry, so requests by route show up there.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "tandem")
        logger.info(
            "starting",
            metadata: [
                "tandem.config": .string(source), "tandem.store": .string(settings.store),
                "tandem.senders": .stringConvertible(settings.senders.count),
            ]
        )

        let store = try await SQLiteStore.open(at: try StoreLocation(url: settings.store), logger: logger)
        let gateway = Gateway(
            store: store,
            settings: GatewaySettings(senders: settings.senders, maximumBodyBytes: settings.maximumBodyBytes),
            metrics: GatewayMetrics(registry: registry)
        )
        let app = Application(
            router: gateway.router(),
            configuration: ApplicationConfiguration(
                address: .hostname(settings.listen.host, port: settings.listen.port),
                serverName: "Tandem"
            ),
            logger: logger
        )
        // The store comes first: a ServiceGroup stops services in reverse order, so the HTTP server stops
        // taking requests before the writer commits what is queued and closes the database.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: store), .init(service: app)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        logger.info("stopped")
    }
}
