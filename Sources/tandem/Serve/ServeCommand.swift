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
/// shuts both down gracefully on SIGTERM or SIGINT; SIGHUP reloads credentials and certificates, then the
/// mappings.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway (FHIR REST ingest over SQLite or PostgreSQL, delivery to partners).",
        discussion: """
            Configuration: --config FILE, else TANDEM_CONFIG, else Samples/config/tandem.json when the working \
            directory has it (demo credentials, announced loudly), else the embedded defaults (127.0.0.1:8080, \
            sqlite:./data/tandem.sqlite, no senders). The gateway refuses to start without senders. \
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
            transfers, each with many in flight). partitionCache (4096) is how many partitions of \
            co-management state (one patient's linked resources and episodes each) stay in memory. Security: clients (SMART Backend Services: clientId, the sender, \
            partner or operator it acts as, scopes, jwks or jwksFile), tls (certificate, key, clientCA, \
            clientCertificates mapping certificates to senders), authorization (issuer, tokenLifetime, keyRotation, \
            keyOverlap) and limits (requestsPerSecond 200, burst 400, maximumConcurrentRequests 256, requestTimeout \
            "30s", header sizes). SIGHUP reloads credentials and TLS files, then reads the mappings again: \
            referrals the old ones left in no episode (GET /unmatched, tandem unmatched) are normalised again in \
            the background; a file or mappings that fail to load leave the running ones in place. Replicas \
            sharing a PostgreSQL database must run the same mappings: one running others reports itself unhealthy \
            on /health until it reloads. The timers (timers: interval "15s", batch 4) record overdue \
            activities and reports, unanswered referrals and escalations of hand-off Tasks as their deadlines \
            pass; they read the system's clock unless the configuration's clock (at, or file; or \
            TANDEM_CLOCK_FILE) pins it, which is refused without --allow-test-clock.
            """
    )

    @Option(name: .long, help: "The configuration file (JSON).")
    var config: String?

    @Flag(
        name: .long,
        help:
            "Let the configuration's clock (at or file) set the time the timers read: for tests only, announced loudly."
    )
    var allowTestClock = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let loaded: (ServeConfiguration, String)
        do {
            loaded = try ServeConfiguration.load(path: self.config, environment: environment)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let (settings, source) = loaded
        // SIGHUP reads the same file again (nil: the embedded defaults, which hold no credentials).
        let loadedPath =
            self.config ?? environment["TANDEM_CONFIG"] ?? (source == ServeConfiguration.samplePath ? source : nil)
        guard !settings.senders.isEmpty else {
            throw ValidationError(
                "the configuration (\(source)) names no senders, so nothing could post to this gateway: add "
                    + "\"senders\" with token hashes (tandem token-hash TOKEN) and pass it with --config or TANDEM_CONFIG"
            )
        }
        let level = settings.logLevel
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

        if settings.demo {
            Self.warnAboutDemoCredentials(source: source, logger: logger)
        }
        let clock = try Self.clock(settings.timers.clock, allowed: self.allowTestClock, logger: logger)
        // Prints every mapping problem and exits 1 when the mappings do not load.
        let loadedMappings = try MappingDirectory.loadVersioned(at: settings.mappings)
        let mappings = loadedMappings.mappings
        logger.info(
            "mappings loaded",
            metadata: [
                "tandem.mappings": .string(settings.mappings),
                "tandem.mappingsVersion": .string(loadedMappings.version),
                "tandem.serviceLines": .stringConvertible(mappings.serviceLines.count),
                "tandem.mappingWarnings": .stringConvertible(mappings.warnings.count),
            ]
        )
        let builder = NotificationBuilder(baseURL: settings.notificationBase)
        // The configuration's partners and the partners' REST Subscriptions, shared by planning, the
        // forwarder and the keeper of handshakes and heartbeats.
        let directory = SubscriptionDirectory(
            configured: settings.partners,
            profiles: settings.subscriberProfiles,
            baseURL: settings.notificationBase
        )
        let doorbell = DeliveryDoorbell()
        let subscriptionsChanged = DeliveryDoorbell()
        let store = try await storeURL.open(
            normaliser: Normaliser(mappings: mappings),
            outboxPlanning: OutboxPlanner(
                directory: directory,
                consentDefaultPermit: settings.consentDefaultPermit,
                builder: builder,
                doorbell: doorbell,
                ring: storeURL.isPostgres ? .whenCommitted : .whenPlanned
            ),
            searchIndexing: SearchIndex(),
            partitionCache: settings.partitionCache,
            logger: logger
        )
        let deliveryMetrics = DeliveryMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let runningMappings = RunningMappings(
            loadedMappings,
            directory: settings.mappings,
            store: store,
            logger: logger
        )
        let metrics = GatewayMetrics(registry: registry)
        let gateway = Gateway(
            store: store,
            settings: settings.gatewaySettings,
            metrics: metrics,
            clock: clock,
            outbox: store,
            administration: store,
            subscriptionsChanged: { subscriptionsChanged.ring() },
            collectMetrics: { await deliveryMetrics.collect(from: store) }
        )
        let timers = DueTimers(
            store: store,
            clock: clock,
            configuration: settings.timers.timers,
            logger: logger,
            fired: { [clock] fired in metrics.recordTimers(fired, at: clock.now()) }
        )
        let tls: TLSContexts?
        do {
            tls = try settings.tls.map { try TLSContexts($0) }
        } catch {
            throw ValidationError("tls: the certificate, key or client CA cannot be used: \(error)")
        }
        Self.logListener(settings, logger: logger)
        let app = Application(
            router: gateway.router(),
            server: Listener.server(tls: tls, limits: settings.limits),
            configuration: ApplicationConfiguration(
                address: .hostname(settings.listen.host, port: settings.listen.port),
                serverName: "Tandem"
            ),
            logger: logger
        )
        let credentialReload = CredentialReload(
            path: loadedPath,
            environment: environment,
            credentials: gateway.credentials,
            tls: tls,
            logger: logger
        )
        let forwarding = settings.delivery.forwarder
        let transport = CurlTransport(
            threads: settings.delivery.transferThreads,
            maximumIdleConnectionsPerPartner: settings.delivery.idleConnectionsPerPartner,
            logger: logger
        )
        // Replicas sharing a store claim through one elected forwarder, unless configured otherwise.
        let seat = store.forwarderElection.flatMap { election in
            settings.delivery.forwarding == .elected
                ? ForwarderSeat(election: election, doorbell: doorbell, metrics: deliveryMetrics, logger: logger) : nil
        }
        let forwarder = Forwarder(
            queue: OutboxQueue(store: store),
            driver: DeliveryDriver(transport: transport, consentDefaultPermit: settings.consentDefaultPermit),
            directory: directory,
            configuration: forwarding,
            doorbell: doorbell,
            seat: seat,
            metrics: deliveryMetrics,
            logger: logger
        )
        let keeper = SubscriptionKeeper(
            store: store,
            directory: directory,
            builder: builder,
            transport: transport,
            doorbell: subscriptionsChanged,
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
                "tandem.delivery.forwarding": .string(
                    seat != nil ? "elected" : store.forwarderElection == nil ? "this process" : "every replica"
                ),
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
                services: [.init(service: store)] + gateway.services(logger: logger).map { .init(service: $0) }
                    + (seat.map { [.init(service: $0)] } ?? [])
                    + [
                        .init(service: forwarder), .init(service: keeper), .init(service: runningMappings),
                        .init(service: timers),
                        // One SIGHUP handler, one signal at a time: credentials and TLS first, then mappings.
                        .init(
                            service: HangupReload(
                                reloads: [{ credentialReload.reload() }, runningMappings.reload],
                                logger: logger
                            )
                        ),
                        .init(service: app),
                    ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        logger.info("stopped")
    }

    /// Says how the gateway listens, and warns when it listens beyond this machine without TLS.
    private static func logListener(_ settings: ServeConfiguration, logger: Logger) {
        let limits = settings.limits
        logger.info(
            "listener",
            metadata: [
                "tandem.listen": .string("\(settings.listen.host):\(settings.listen.port)"),
                "tandem.tls": .string(settings.tls == nil ? "off" : settings.tls?.clientCA == nil ? "on" : "on, mTLS"),
                "tandem.issuer": .string(settings.effectiveIssuer),
                "tandem.limits.requestsPerSecond": .stringConvertible(limits.requestsPerSecond),
                "tandem.limits.maximumConcurrentRequests": .stringConvertible(limits.maximumConcurrentRequests),
                "tandem.limits.requestTimeout": .stringConvertible(limits.requestTimeout),
            ]
        )
        let loopback = ["127.0.0.1", "::1", "localhost"].contains(settings.listen.host)
        if settings.tls == nil && !loopback {
            logger.warning(
                "listening beyond this machine without TLS: configure tls, or keep the port on a private network behind a TLS-terminating proxy"
            )
        }
    }

    /// A banner on standard error and a warning in the log: the demo tokens are published in the README.
    /// The clock the timers read: the system's, or the configuration's when `--allow-test-clock` lets it,
    /// announced with a banner.
    /// - Throws: `ValidationError` when the configuration sets a clock without the flag.
    private static func clock(_ setting: ClockSetting?, allowed: Bool, logger: Logger) throws -> any WallClock {
        guard let setting else { return SystemClock() }
        guard allowed else {
            throw ValidationError(
                "the configuration sets 'clock', which moves the time the timers read: refused unless serve is "
                    + "started with --allow-test-clock (tests only)"
            )
        }
        let described: String
        switch setting {
        case .pinned(let instant): described = "pinned at \(instant.fhirText)"
        case .file(let path): described = "read from \(path)"
        }
        let banner = """
            ************************************************************************
            *  TEST CLOCK: the timers read a clock \(described),
            *  not the system's. Due dates fire when that clock says so.
            *  Never run a deployment so: remove 'clock' and --allow-test-clock.
            ************************************************************************

            """
        FileHandle.standardError.write(Data(banner.utf8))
        logger.warning("the timers read a test clock", metadata: ["tandem.clock": .string(described)])
        return setting.clock
    }

    private static func warnAboutDemoCredentials(source: String, logger: Logger) {
        let banner = """
            ************************************************************************
            *  DEMO CREDENTIALS: \(source) holds the README's published demo tokens.
            *  Anyone can post to and read from this gateway. Never deploy it so:
            *  write a configuration of your own and pass it with --config.
            ************************************************************************

            """
        FileHandle.standardError.write(Data(banner.utf8))
        logger.warning("serving with the published demo credentials", metadata: ["tandem.config": .string(source)])
    }
}
