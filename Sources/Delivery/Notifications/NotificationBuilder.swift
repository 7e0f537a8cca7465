public import CoManagement
public import FHIRCore
public import Foundation
public import Store

/// Renders the body a partner receives for one planned delivery. Pure: the planned time comes in.
///
/// For the FHIR formats the body is an R4 notification Bundle as the Subscriptions R5 Backport IG
/// describes it (https://hl7.org/fhir/uv/subscriptions-backport/STU1.1/notifications.html): a `history`
/// Bundle whose first entry is a `Parameters` resource in the SubscriptionStatus shape
/// (`backport-subscription-status-r4`), then one entry per resource, with the resource (`full`) or
/// without it (`id-only`). The episode document format sends the JSON of the ``CoManagement/Episode``.
///
/// The body depends only on its inputs, never on the attempt, so every retry sends the same bytes.
public struct NotificationBuilder: Sendable {
    /// The gateway's FHIR base (`https://tandem.example/fhir`): subscription and focus references hang off it.
    public var baseURL: String
    /// Where topic canonicals live; each topic is `<topicBaseURL>/<topic>`.
    public var topicBaseURL: String

    public init(baseURL: String, topicBaseURL: String? = nil) {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.baseURL = base
        self.topicBaseURL = topicBaseURL ?? base + "/SubscriptionTopic"
    }

    /// The request body for one delivery in the partner's format.
    /// - Parameters:
    ///   - episode: the episode as planned; only the episode document format uses it.
    ///   - resources: the resources of the change (the focus first), sent in `full` payload mode.
    ///   - plannedAt: when the delivery was planned; stamps the Bundle and the notification event.
    public func body(
        for delivery: PlannedDelivery,
        partner: Partner,
        episode: Episode,
        resources: [Element],
        plannedAt: Date
    ) -> [UInt8] {
        switch partner.format {
        case .fhirJSON:
            FHIRCodec.write(
                self.bundle(for: delivery, partner: partner, resources: resources, plannedAt: plannedAt),
                as: .json
            )
        case .fhirXML:
            FHIRCodec.write(
                self.bundle(for: delivery, partner: partner, resources: resources, plannedAt: plannedAt),
                as: .xml
            )
        case .episodeDocument:
            Self.episodeDocument(episode)
        }
    }

    /// The JSON of the episode, keys sorted so equal episodes give equal bytes.
    public static func episodeDocument(_ episode: Episode) -> [UInt8] {
        // Measures are Doubles; a non-finite one is written as a string rather than failing the encode,
        // which is then the only way encoding this tree of strings, numbers and arrays could fail.
        let encoder = SortedKeysJSONEncoder(
            nonFiniteFloats: .init(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        )
        return (try? encoder.encode(episode)) ?? Array("{}".utf8)
    }

    /// The notification Bundle for one delivery.
    public func bundle(
        for delivery: PlannedDelivery,
        partner: Partner,
        resources: [Element],
        plannedAt: Date
    ) -> Element {
        let instant = Self.instant(plannedAt)
        let focus = ResourceReference(delivery.event.source)
        // The IG: an empty payload names neither the topic nor the focus.
        let empty = partner.payload == .empty
        let status = SubscriptionStatus(
            id: delivery.id,
            subscription: self.subscriptionReference(partner.id),
            topic: empty ? nil : self.topicCanonical(delivery.topic),
            status: "active",
            type: .eventNotification,
            eventsSinceStart: delivery.eventNumber,
            events: [
                SubscriptionStatus.Event(
                    number: delivery.eventNumber,
                    timestamp: instant,
                    focus: empty ? nil : focus.map { self.baseURL + "/" + $0.versionedPath }
                )
            ]
        )
        var entries = [self.statusEntry(status, id: delivery.id, subscription: partner.id)]
        switch partner.payload {
        case .full:
            entries += resources.map { self.entry(for: $0) }
        case .idOnly:
            // The IG's id-only: the entry names the resource (fullUrl, request) but does not carry it.
            if let focus { entries.append(self.entry(for: focus, resource: nil)) }
        case .empty:
            break
        }
        return Self.notification(id: delivery.id, instant: instant, entries: entries)
    }

    /// A handshake (on activation) or heartbeat notification for a subscription: the status alone, with
    /// the number of events it has had so far.
    public func bundle(
        _ type: SubscriptionStatus.NotificationType,
        id: String,
        partner: Partner,
        topic: String,
        status: String,
        eventsSinceStart: Int,
        at: Date
    ) -> Element {
        let parameters = SubscriptionStatus(
            id: id,
            subscription: self.subscriptionReference(partner.id),
            topic: self.topicCanonical(topic),
            status: status,
            type: type,
            eventsSinceStart: eventsSinceStart
        )
        return Self.notification(
            id: id,
            instant: Self.instant(at),
            entries: [self.statusEntry(parameters, id: id, subscription: partner.id)]
        )
    }

    /// The canonical URL of a topic this gateway publishes.
    public func topicCanonical(_ topic: String) -> String {
        self.topicBaseURL + "/" + (topic == "*" ? SubscriptionTopic.all : topic)
    }

    /// The absolute reference of a subscription.
    public func subscriptionReference(_ id: String) -> String { self.baseURL + "/Subscription/" + id }

    static let notificationProfile =
        "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-notification-r4"

    private static func notification(id: String, instant: String, entries: [Element]) -> Element {
        Element(
            name: "Bundle",
            type: "Bundle",
            children: [
                .primitive("id", "id", id),
                .node("meta", "Meta", [.primitive("profile", "canonical", Self.notificationProfile)]),
                .primitive("type", "code", "history"),
                .primitive("timestamp", "instant", instant),
            ] + entries
        )
    }

    /// The first entry: the SubscriptionStatus, as the IG asks (`GET Subscription/id/$status`, 200).
    private func statusEntry(_ status: SubscriptionStatus, id: String, subscription: String) -> Element {
        .node(
            "entry",
            "Bundle.Entry",
            [
                .primitive("fullUrl", "uri", "urn:uuid:\(id)"),
                status.resource(named: "resource"),
                .node(
                    "request",
                    "Bundle.Request",
                    [
                        .primitive("method", "code", "GET"),
                        .primitive("url", "uri", "Subscription/\(subscription)/$status"),
                    ]
                ),
                .node("response", "Bundle.Response", [.primitive("status", "string", "200")]),
            ]
        )
    }

    /// An entry carrying a resource tree; entries without a readable type and id are sent as they are.
    private func entry(for resource: Element) -> Element {
        var carried = resource
        carried.name = "resource"
        guard let id = resource.string("id") else {
            return .node("entry", "Bundle.Entry", [carried])
        }
        let version = resource.child("meta")?.string("versionId")
        return self.entry(for: ResourceReference(type: resource.type, id: id, version: version), resource: carried)
    }

    private func entry(for reference: ResourceReference, resource: Element?) -> Element {
        // A first version was a create (POST, 201); anything later an update (PUT, 200), as history says.
        let created = reference.version == "1"
        var children: [Element] = [.primitive("fullUrl", "uri", self.baseURL + "/" + reference.path)]
        if let resource { children.append(resource) }
        children.append(
            .node(
                "request",
                "Bundle.Request",
                [
                    .primitive("method", "code", created ? "POST" : "PUT"),
                    .primitive("url", "uri", created ? reference.type : reference.path),
                ]
            )
        )
        children.append(.node("response", "Bundle.Response", [.primitive("status", "string", created ? "201" : "200")]))
        return .node("entry", "Bundle.Entry", children)
    }

    /// A FHIR instant in UTC with milliseconds.
    static func instant(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension Element {
    fileprivate static func primitive(_ name: String, _ type: String, _ value: String) -> Element {
        Element(name: name, type: type, value: value)
    }

    fileprivate static func node(_ name: String, _ type: String, _ children: [Element]) -> Element {
        Element(name: name, type: type, children: children)
    }

    fileprivate static func reference(_ reference: String) -> Element {
        .node("value", "Reference", [.primitive("reference", "string", reference)])
    }

    fileprivate static func parameter(_ name: String, _ value: Element) -> Element {
        .node("parameter", "Parameters.Parameter", [.primitive("name", "string", name), value])
    }
}
