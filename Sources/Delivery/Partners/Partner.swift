public import CoManagement
public import Foundation

/// One subscription the gateway delivers to: a partner of the configuration (whose subscription the
/// configuration owns, with the partner's id), or a topic-based `Subscription` a partner made over REST
/// (``init(subscription:id:profile:)``).
///
/// A subscription hears of a change only when its partner takes part in the episode (one of
/// ``represents`` names a participant) or is configured for the episode's whole service line, it
/// subscribes to the change's topic, its ``filter`` admits the episode, and the patient's consent permits
/// it (see ``DeliveryPlanner``).
public struct Partner: Sendable, Hashable, Codable {
    /// Stable id, used in delivery ids, the subscription reference and logs (`optometry-group`): the
    /// configured partner's id, or the REST Subscription's id.
    public var id: String
    /// The partner account whose subscription this is; for a configured partner, its own id.
    public var account: String
    /// What the subscription's filters narrow its topic to (REST Subscriptions); empty for the
    /// configuration's.
    public var filter: EpisodeFilter
    /// `Name: value` fields sent with every notification (`Subscription.channel.header`).
    public var headers: [String]
    /// Seconds between heartbeats (REST Subscriptions); nil for none.
    public var heartbeatPeriod: Int?
    /// No events are planned after this moment (`Subscription.end`).
    public var end: Date?
    /// Where notifications are POSTed (`https://partner.example/tandem/notify`).
    public var endpoint: URL
    public var format: NotificationFormat
    public var payload: PayloadMode
    /// Delivery topics (``CoManagement/EventKind/topic``: `episode`, `referral`, `care-plan`, `handoff`,
    /// `consent`, `report`); `*` subscribes to every topic. An empty list hears nothing.
    public var topics: Set<String>
    /// The organisations and practitioners this partner speaks for: identifier tokens (`system|value`) or
    /// references (`Organization/org-1`), matched against the episode's participants.
    public var represents: Set<String>
    /// Service lines the partner hears of whether or not it participates (`cardiology.heart-failure`).
    public var serviceLines: Set<String>
    public var auth: PartnerAuth
    /// The CA bundle (PEM file path) that verifies the partner's certificate; nil uses the system store.
    public var caBundlePath: String?
    /// Shared secret for `X-Tandem-Signature`; nil sends no signature.
    public var hmacSecret: String?
    /// The whole request's time limit.
    public var timeout: Duration
    public var retry: RetryPolicy

    public init(
        id: String,
        endpoint: URL,
        format: NotificationFormat = .fhirJSON,
        payload: PayloadMode = .full,
        topics: Set<String> = ["*"],
        represents: Set<String> = [],
        serviceLines: Set<String> = [],
        auth: PartnerAuth = .none,
        caBundlePath: String? = nil,
        hmacSecret: String? = nil,
        timeout: Duration = .seconds(10),
        retry: RetryPolicy = RetryPolicy(),
        account: String? = nil,
        filter: EpisodeFilter = EpisodeFilter(),
        headers: [String] = [],
        heartbeatPeriod: Int? = nil,
        end: Date? = nil
    ) {
        self.id = id
        self.account = account ?? id
        self.filter = filter
        self.headers = headers
        self.heartbeatPeriod = heartbeatPeriod
        self.end = end
        self.endpoint = endpoint
        self.format = format
        self.payload = payload
        self.topics = topics
        self.represents = represents
        self.serviceLines = serviceLines
        self.auth = auth
        self.caBundlePath = caBundlePath
        self.hmacSecret = hmacSecret
        self.timeout = timeout
        self.retry = retry
    }

    /// Whether the partner subscribes to a topic.
    public func subscribes(to topic: String) -> Bool {
        self.topics.contains("*") || self.topics.contains(SubscriptionTopic.all) || self.topics.contains(topic)
    }
}

/// What a partner receives in the body of each notification.
public enum NotificationFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// A FHIR R4 notification Bundle (Subscriptions R5 Backport IG) in JSON.
    case fhirJSON = "fhir+json"
    /// The same Bundle in XML.
    case fhirXML = "fhir+xml"
    /// The normalised episode document (the JSON of ``CoManagement/Episode``).
    case episodeDocument = "episode-document"

    /// The `Content-Type` the body is sent with.
    public var contentType: String {
        switch self {
        case .fhirJSON: "application/fhir+json; fhirVersion=4.0"
        case .fhirXML: "application/fhir+xml; fhirVersion=4.0"
        case .episodeDocument: "application/json"
        }
    }
}

/// How much of each resource a FHIR notification carries (the IG's `payload` content codes).
public enum PayloadMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The resources themselves (`full-resource`).
    case full
    /// Only references to them (`id-only`); the partner reads them back.
    case idOnly = "id-only"
    /// Nothing but the subscription status (`empty`): the partner asks `$events` or searches.
    case empty
}

/// How Tandem authenticates to a partner.
public enum PartnerAuth: Sendable, Hashable, Codable {
    case none
    /// `Authorization: Bearer <token>`.
    case bearer(token: String)
    /// `Authorization: Basic <base64(user:password)>`.
    case basic(user: String, password: String)
    /// Mutual TLS: a client certificate and its private key, PEM file paths.
    case clientCertificate(certificatePath: String, keyPath: String, keyPassword: String? = nil)
}
