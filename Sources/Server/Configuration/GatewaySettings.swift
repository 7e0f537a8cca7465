public import CoManagement
import FHIRCore

/// What the HTTP edge needs from the configuration.
public struct GatewaySettings: Sendable {
    /// Who may post, with their token hashes and allowed types.
    public var senders: [Sender]
    /// Partners given a token to read back what they are routed.
    public var partners: [PartnerAccount]
    /// Who may read everything.
    public var operators: [Operator]
    /// The decision when no Consent applies to an episode, for partners' reads as for deliveries.
    public var consentDefaultPermit: Bool
    /// Largest request body accepted; larger ones get 413.
    public var maximumBodyBytes: Int
    /// Systems that sign in with SMART Backend Services.
    public var clients: [Client]
    /// Client certificates that authenticate senders (mTLS).
    public var certificateSenders: [CertificateSender]
    /// The token endpoint's issuer and the lifetimes of tokens and signing keys.
    public var authorization: AuthorizationSettings
    /// Rate, concurrency, time and header limits.
    public var limits: Limits
    /// Every configured delivery partner, as measures are cut by partner (``CoManagement/MeasureAudience``).
    public var measureAudiences: [MeasureAudience] = []
    /// How often the per-service-line measure gauges of `/metrics` are computed again.
    public var measureGaugeInterval: Duration = .seconds(60)
    /// The operations console's sessions and cookies.
    public var console: ConsoleSettings
    /// The FHIR base clients reach the gateway at (`https://tandem.example.org/fhir`), behind a proxy or a
    /// load balancer: `Location`, `fullUrl`s, links and topic canonicals use it. Nil: each request's own
    /// `Host`, scheme and `/fhir`.
    public var baseURL: String?

    public init(
        senders: [Sender],
        partners: [PartnerAccount] = [],
        operators: [Operator] = [],
        consentDefaultPermit: Bool = true,
        maximumBodyBytes: Int = 4 << 20,
        clients: [Client] = [],
        certificateSenders: [CertificateSender] = [],
        authorization: AuthorizationSettings = AuthorizationSettings(),
        limits: Limits = Limits(),
        console: ConsoleSettings = ConsoleSettings(),
        baseURL: String? = nil
    ) {
        self.senders = senders
        self.partners = partners
        self.operators = operators
        self.consentDefaultPermit = consentDefaultPermit
        self.maximumBodyBytes = maximumBodyBytes
        self.clients = clients
        self.certificateSenders = certificateSenders
        self.authorization = authorization
        self.limits = limits
        self.console = console
        self.baseURL = baseURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// Reader limits that match the body limit.
    var readLimits: ReadLimits {
        var limits = ReadLimits.default
        limits.maxBytes = self.maximumBodyBytes
        return limits
    }
}
