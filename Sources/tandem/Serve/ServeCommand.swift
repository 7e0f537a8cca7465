import ArgumentParser
import CoManagement
import Delivery
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
        abstract: "Run the gateway (FHIR REST ingest over SQLite or PostgreSQL, delivery to partners).",
        discussion: """
            Configuration: --config FILE, else TANDEM_CONFIG, else Samples/config/tandem.json when the working \
            directory has it, else the embedded defaults (127.0.0.1:8080, sqlite:./data/tandem.sqlite). \
            TANDEM_LISTEN=host:port, TANDEM_STORE_URL and TANDEM_MAPPINGS override the file. The store URL is \
            sqlite:PATH (one gateway) or postgres://user@host:port/database (several replicas on one database; \
            TANDEM_STORE_PASSWORD supplies a password the URL leaves out). \
            TANDEM_LOG_LEVEL sets the log level (default info); TANDEM_DELIVERY_LEASE_SECONDS how long a claimed \
            delivery stays leased to this process (default 120). The configuration's partners (durations such \
            as "10s") hear of episode changes through the outbox, planned in the ingest transaction and sent by \
            the forwarder; consentDefaultPermit (default true) decides when no Consent applies. The optional \
            delivery object tunes the forwarder: concurrency (64), claimBatch (16), run (8: rows of one \
            episode's stream claimed and sent together), pollInterval ("100ms"), lease ("2m", longer than every \
            partner timeout), idleConnectionsPerPartner (64) and transferThreads (2: threads running the \
            transfers, each with many in flight).
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
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, logLevel: level) }
        // One registry for both: Hummingbird's MetricsMiddleware reports through the global
        // MetricsSystem, and /metrics renders this registry, so requests by route show up there.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "tandem")
        // sqlite:… or postgres://…; the description never holds a password.
        let storeURL = try settings.storeURL(environment: environment)
        logger.info(
            "starting",
            metadata: [
                "tandem.config": .string(source), "tandem.store": .string(storeURL.description),
                "tandem.senders": .stringConvertible(settings.senders.count),
            ]
        )

        // Prints every mapping problem and exits 1 when the mappings do not load.
        let mappings = try MappingDirectory.load(at: settings.mappings)
        logger.info(
            "mappings loaded",
            metadata: [
                "tandem.mappings": .string(settings.mappings),
                "tandem.serviceLines": .stringConvertible(mappings.serviceLines.count),
                "tandem.mappingWarnings": .stringConvertible(mappings.warnings.count),
            ]
        )
        let builder = NotificationBuilder(
            baseURL: settings.baseURL ?? "http://\(settings.listen.host):\(settings.listen.port)/fhir"
        )
        let doorbell = DeliveryDoorbell()
        let store = try await storeURL.open(
            normaliser: Normaliser(mappings: mappings),
            outboxPlanning: OutboxPlanner(
                partners: settings.partners,
                consentDefaultPermit: settings.consentDefaultPermit,
                builder: builder,
                doorbell: doorbell
            ),
            logger: logger
        )
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
        var forwarding = settings.delivery.forwarder
        // How long a claimed row stays leased; a replica killed mid-delivery gives its rows back after it.
        if let seconds = environment["TANDEM_DELIVERY_LEASE_SECONDS"] {
            guard let lease = Int(seconds), lease > 0 else {
                throw ValidationError("TANDEM_DELIVERY_LEASE_SECONDS must be a positive number of seconds")
            }
            forwarding.lease = .seconds(lease)
        }
        let forwarder = Forwarder(
            queue: OutboxQueue(store: store),
            driver: DeliveryDriver(
                transport: CurlTransport(
                    threads: settings.delivery.transferThreads,
                    maximumIdleConnectionsPerPartner: settings.delivery.idleConnectionsPerPartner,
                    logger: logger
                ),
                consentDefaultPermit: settings.consentDefaultPermit
            ),
            partners: settings.partners,
            configuration: forwarding,
            doorbell: doorbell,
            logger: logger
        )
        logger.info(
            "delivery",
            metadata: [
                "tandem.partners": .stringConvertible(settings.partners.count),
                "tandem.delivery.concurrency": .stringConvertible(forwarding.concurrency),
                "tandem.delivery.claimBatch": .stringConvertible(forwarding.claimBatch),
                "tandem.delivery.run": .stringConvertible(forwarding.run),
                "tandem.delivery.pollInterval": .stringConvertible(forwarding.pollInterval),
                "tandem.delivery.lease": .stringConvertible(forwarding.lease),
                "tandem.delivery.transferThreads": .stringConvertible(settings.delivery.transferThreads),
            ]
        )
        if !settings.partners.isEmpty, !CurlTransport.resolvesNamesAsynchronously {
            logger.warning(
                "this libcurl resolves host names synchronously: a partner whose name is slow to resolve holds up every partner on its transfer thread"
            )
        }
        // The store comes first: a ServiceGroup stops services in reverse order, so the HTTP server stops
        // taking requests, then the forwarder records the attempts in flight, before the writer commits
        // what is queued and closes the database.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: store), .init(service: forwarder), .init(service: app)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        logger.info("stopped")
    }
}
