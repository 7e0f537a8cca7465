import CoManagement
import Delivery
import Foundation
import Logging
import Server
import Store

/// The one configuration file of `tandem serve`: where to listen, where the store is, the body limit,
/// the mappings directory and the senders (JSON; see `Samples/config/tandem.json`).
///
/// Missing keys take the embedded defaults; unknown keys are refused, so a misspelt setting is not
/// silently ignored. Environment variables override the file (``applying(environment:)``), and secrets in it
/// may be written `${NAME}` to be read from the environment (``SecretSetting``).
struct ServeConfiguration: Sendable, Equatable {
    /// The listening address.
    struct Listen: Sendable, Equatable, Codable {
        var host: String
        var port: Int
    }

    var listen: Listen
    /// `sqlite:PATH` (relative to the working directory) or `sqlite::memory:`.
    var store: String
    var maximumBodyBytes: Int
    /// The `Mappings/` directory, relative to the working directory.
    var mappings: String
    /// Who may post. None by default: a gateway refuses to start without senders.
    var senders: [Sender]
    /// The partners the forwarder delivers to (DESIGN.md §2 "Forward"): those with an endpoint, each a
    /// subscription the configuration owns.
    var partners: [Partner] = []
    /// What every partner's REST Subscriptions inherit (whom it speaks for, its secret, its retry policy).
    var subscriberProfiles: [SubscriberProfile] = []
    /// The partners given a bearer token (`tokenHash`), to read back what they are routed.
    var partnerAccounts: [PartnerAccount] = []
    /// Who may read everything, the audit trail included.
    var operators: [Operator] = []
    /// How long a console session lasts (`console.sessionLifetime`).
    var consoleSessionLifetime: Duration = .seconds(8 * 3600)
    /// Whether the file says it holds demo credentials (`Samples/config`): `serve` warns loudly.
    var demo = false
    /// `TANDEM_LOG_LEVEL` (default info).
    var logLevel = Logger.Level.info
    /// The decision when no Consent applies to an episode, at planning and again before sending.
    var consentDefaultPermit = true
    /// The public FHIR base (`https://tandem.example.org/fhir`): `Location`, `fullUrl`s, links, topic
    /// canonicals and notifications use it; nil means each request's own, and `http://<listen>/fhir` in
    /// notifications.
    var baseURL: String?
    /// The forwarder's concurrency, claiming, polling and lease (``DeliverySettings``).
    var delivery = DeliverySettings()
    /// How many partitions of co-management state the process keeps in memory (most recently used).
    var partitionCache = 4096
    /// Systems that sign in with SMART Backend Services.
    var clients: [Client] = []
    /// TLS on the listener; nil: plain HTTP.
    var tls: ListenerTLS?
    /// Client certificates that authenticate senders (needs ``tls`` with a client CA).
    var certificateSenders: [CertificateSender] = []
    /// The token issuer's public origin; nil: from ``baseURL``, else from the listening address.
    var issuer: String?
    /// Token lifetime and key rotation (the issuer is filled in by ``gatewaySettings``).
    var authorization = AuthorizationSettings()
    /// Rate, concurrency, time and header limits.
    var limits = Limits()
    /// How often the timers run, and the clock they read (``TimerSettings``).
    var timers = TimerSettings()

    /// The defaults built into the executable. They name no senders and no credentials of any kind: the
    /// demo senders live only in `Samples/config/tandem.json`.
    static let embedded = ServeConfiguration(
        listen: Listen(host: "127.0.0.1", port: 8080),
        store: "sqlite:./data/tandem.sqlite",
        maximumBodyBytes: 4 << 20,
        mappings: "Mappings",
        senders: []
    )

    /// The sample configuration with the demo credentials, used when no file is named and the working
    /// directory has one (the README's first command, run from the checkout).
    static let samplePath = "Samples/config/tandem.json"

    /// Reads the configuration: `--config`, else `TANDEM_CONFIG`, else the sample file when present,
    /// else the embedded defaults; then applies the environment overrides.
    ///
    /// - Returns: the configuration and where it came from (for the start-up log line).
    static func load(path: String?, environment: [String: String]) throws -> (ServeConfiguration, String) {
        let chosen =
            path ?? environment["TANDEM_CONFIG"]
            ?? (FileManager.default.fileExists(atPath: Self.samplePath) ? Self.samplePath : nil)
        guard let chosen else { return (try Self.embedded.applying(environment: environment), "embedded defaults") }
        guard let data = FileManager.default.contents(atPath: chosen) else {
            throw ConfigurationError("cannot read the configuration file '\(chosen)'")
        }
        let decoded = try Self.decode(Array(data), environment: environment)
        return (try decoded.applying(environment: environment), chosen)
    }

    /// Applies the environment: `TANDEM_LISTEN=host:port`, `TANDEM_STORE_URL`, `TANDEM_MAPPINGS`,
    /// `TANDEM_BASE_URL`, `TANDEM_LOG_LEVEL` and `TANDEM_DELIVERY_LEASE_SECONDS`. The one place the gateway reads variables
    /// (besides `${NAME}` secrets in the file and `TANDEM_STORE_PASSWORD`, read with the store URL).
    func applying(environment: [String: String]) throws -> ServeConfiguration {
        var configuration = self
        if let listen = environment["TANDEM_LISTEN"] {
            configuration.listen = try Self.listen(listen)
        }
        if let store = environment["TANDEM_STORE_URL"] { configuration.store = store }
        if let mappings = environment["TANDEM_MAPPINGS"] { configuration.mappings = mappings }
        if let baseURL = environment["TANDEM_BASE_URL"] { configuration.baseURL = baseURL }
        if let level = environment["TANDEM_LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level) else {
                throw ConfigurationError(
                    "TANDEM_LOG_LEVEL must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            configuration.logLevel = parsed
        }
        // How long a claimed row stays leased; a replica killed mid-delivery gives its rows back after it.
        if let seconds = environment["TANDEM_DELIVERY_LEASE_SECONDS"] {
            guard let lease = Int(seconds), lease > 0 else {
                throw ConfigurationError("TANDEM_DELIVERY_LEASE_SECONDS must be a positive number of seconds")
            }
            configuration.delivery.forwarder.lease = .seconds(lease)
        }
        // Tests pin the timers' clock without editing the file they reload on SIGHUP (--allow-test-clock).
        if let path = environment["TANDEM_CLOCK_FILE"] {
            configuration.timers.clock = .file(path)
        }
        if let text = environment["TANDEM_TIMERS_INTERVAL"] {
            guard let interval = FriendlyDuration.parse(text), interval >= .milliseconds(10) else {
                throw ConfigurationError("TANDEM_TIMERS_INTERVAL must be a duration of at least 10ms, such as \"1s\"")
            }
            configuration.timers.timers.interval = interval
        }
        return configuration
    }

    /// What the HTTP edge needs of this configuration.
    var gatewaySettings: GatewaySettings {
        var authorization = self.authorization
        authorization.issuer = self.effectiveIssuer
        var settings = GatewaySettings(
            senders: self.senders,
            partners: self.partnerAccounts,
            operators: self.operators,
            consentDefaultPermit: self.consentDefaultPermit,
            maximumBodyBytes: self.maximumBodyBytes,
            clients: self.clients,
            certificateSenders: self.certificateSenders,
            authorization: authorization,
            limits: self.limits,
            console: ConsoleSettings(
                sessionLifetime: self.consoleSessionLifetime,
                secureCookies: self.tls != nil || self.effectiveIssuer.hasPrefix("https://")
                    || self.baseURL?.hasPrefix("https://") == true
            ),
            baseURL: self.baseURL
        )
        settings.measureAudiences = self.partners.map {
            MeasureAudience(id: $0.id, represents: $0.represents, serviceLines: $0.serviceLines)
        }
        return settings
    }

    /// The FHIR base notifications name resources and topics under.
    var notificationBase: String {
        self.baseURL ?? "http://\(self.listen.host):\(self.listen.port)/fhir"
    }

    /// `issuer`, else ``baseURL`` without its `/fhir`, else the listening address with the scheme TLS gives.
    var effectiveIssuer: String {
        if let issuer = self.issuer { return issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer }
        if let base = self.baseURL {
            let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
            return trimmed.hasSuffix("/fhir") ? String(trimmed.dropLast(5)) : trimmed
        }
        let host = self.listen.host.contains(":") ? "[\(self.listen.host)]" : self.listen.host
        return "\(self.tls == nil ? "http" : "https")://\(host):\(self.listen.port)"
    }

    /// `host:port` (the host may be empty, meaning 127.0.0.1; IPv6 hosts go in brackets).
    static func listen(_ text: String) throws -> Listen {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ConfigurationError("TANDEM_LISTEN must be host:port, not '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return Listen(host: host.isEmpty ? "127.0.0.1" : host, port: port)
    }
}

/// A configuration that cannot be used; `tandem serve` prints it and exits 1.
struct ConfigurationError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
