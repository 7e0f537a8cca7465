public import FHIRCore

/// A `Subscription` resource read as the R4 Subscriptions Backport IG profiles it
/// (`backport-subscription`): the topic in `criteria`, its filters in `backport-filter-criteria`, a
/// `rest-hook` channel with the payload's content level, heartbeat period and timeout in the IG's
/// extensions. Pure: the resource in, the subscription or the problems out.
public struct TopicSubscription: Sendable, Hashable, Codable {
    /// How much of each resource a notification carries (the IG's `backport-payload-content`).
    public enum Content: String, Sendable, Hashable, Codable, CaseIterable {
        case empty
        case idOnly = "id-only"
        case fullResource = "full-resource"
    }

    /// `requested`, `active`, `error` or `off`.
    public var status: String
    /// A name of ``SubscriptionTopic/names``.
    public var topic: String
    public var filter: EpisodeFilter
    /// Where notifications are POSTed.
    public var endpoint: String
    /// `Subscription.channel.header`: `Name: value` fields sent with every notification.
    public var headers: [String]
    /// `application/fhir+json` or `application/fhir+xml`.
    public var contentType: String
    public var content: Content
    /// Seconds between heartbeats; nil sends none.
    public var heartbeatPeriod: Int?
    /// Seconds a notification attempt may take; nil keeps the gateway's default.
    public var timeout: Int?
    /// `Subscription.end`: no events are planned after it.
    public var end: String?

    static let extensionBase = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"
    static let filterCriteria = Self.extensionBase + "backport-filter-criteria"
    static let payloadContent = Self.extensionBase + "backport-payload-content"
    static let heartbeatPeriodURL = Self.extensionBase + "backport-heartbeat-period"
    static let timeoutURL = Self.extensionBase + "backport-timeout"
    static let channelType = Self.extensionBase + "backport-channel-type"

    /// The statuses a client may ask for; `error` is the gateway's to set.
    public static let requestableStatuses: Set<String> = ["requested", "active", "off"]

    /// Reads a Subscription; `base` is the public FHIR base the topic canonicals hang off (nil: any, for a
    /// Subscription read back after the gateway checked it).
    ///
    /// - Throws: an ``Outcome`` whose issues name the path of each problem (unknown topic, filter,
    ///   channel type, content level, endpoint).
    public static func read(_ resource: Element, base: String?) throws(Outcome) -> TopicSubscription {
        var issues: [Issue] = []
        func problem(_ path: String, _ code: Issue.Code, _ message: String) {
            issues.append(Issue(.error, code, path: path, message))
        }
        let status = resource.string("status") ?? ""
        if !Self.requestableStatuses.contains(status) {
            problem("Subscription.status", .value, "status must be requested, active or off, not '\(status)'")
        }
        let criteria = resource.child("criteria")
        let topic = criteria?.value.flatMap { SubscriptionTopic.name(of: $0, base: base) }
        if topic == nil {
            problem(
                "Subscription.criteria",
                .notSupported,
                "criteria must be the canonical URL of a topic this gateway publishes: "
                    + SubscriptionTopic.names.map { SubscriptionTopic.canonical($0, base: base ?? "<base>") }
                    .joined(separator: ", ")
            )
        }
        var filter = EpisodeFilter()
        for (index, criterion) in Self.extensions(of: criteria, url: Self.filterCriteria).enumerated() {
            let text = criterion.string("value") ?? ""
            if let message = filter.add(criterion: text) {
                problem("Subscription.criteria.extension[\(index)]", .notSupported, message)
            }
        }
        let channel = resource.child("channel")
        if channel?.string("type") != "rest-hook"
            || !Self.extensions(of: channel?.child("type"), url: Self.channelType).isEmpty
        {
            problem("Subscription.channel.type", .notSupported, "the only channel is rest-hook")
        }
        let endpoint = channel?.string("endpoint") ?? ""
        if !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) || endpoint.count < 10 {
            problem("Subscription.channel.endpoint", .required, "a rest-hook channel needs an http or https endpoint")
        }
        let payload = channel?.child("payload")
        let contentType = Self.contentType(payload?.value)
        if contentType == nil {
            problem(
                "Subscription.channel.payload",
                .notSupported,
                "payload must be application/fhir+json or application/fhir+xml"
            )
        }
        let contentCode =
            Self.extensions(of: payload, url: Self.payloadContent).first?.string("value") ?? Content.idOnly.rawValue
        let content = Content(rawValue: contentCode)
        if content == nil {
            problem("Subscription.channel.payload.extension", .value, "content must be empty, id-only or full-resource")
        }
        let heartbeat = Self.seconds(channel, url: Self.heartbeatPeriodURL)
        if let heartbeat, heartbeat < 1 || heartbeat > 86_400 {
            problem("Subscription.channel.extension", .value, "the heartbeat period must be 1 to 86400 seconds")
        }
        let timeout = Self.seconds(channel, url: Self.timeoutURL)
        if let timeout, timeout < 1 || timeout > 600 {
            problem("Subscription.channel.extension", .value, "the timeout must be 1 to 600 seconds")
        }
        guard issues.isEmpty, let topic, let contentType, let content else { throw Outcome(issues) }
        return TopicSubscription(
            status: status,
            topic: topic,
            filter: filter,
            endpoint: endpoint,
            headers: channel?.children(named: "header").compactMap(\.value) ?? [],
            contentType: contentType,
            content: content,
            heartbeatPeriod: heartbeat.flatMap { $0 > 0 ? $0 : nil },
            timeout: timeout,
            end: resource.string("end")
        )
    }

    private static func extensions(of element: Element?, url: String) -> [Element] {
        element?.children(named: "extension").filter { $0.string("url") == url } ?? []
    }

    private static func seconds(_ channel: Element?, url: String) -> Int? {
        self.extensions(of: channel, url: url).first?.string("value").flatMap { Int($0) }
    }

    private static func contentType(_ mediaType: String?) -> String? {
        let name = mediaType?.split(separator: ";").first.map { $0.lowercased().filter { $0 != " " } }
        switch name {
        case "application/fhir+json", "application/json", "json": return "application/fhir+json"
        case "application/fhir+xml", "application/xml", "xml": return "application/fhir+xml"
        default: return nil
        }
    }
}
