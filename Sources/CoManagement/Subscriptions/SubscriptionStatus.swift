public import FHIRCore

/// The status of a topic-based subscription as the R4 Subscriptions Backport IG carries it: a
/// `Parameters` resource in the `backport-subscription-status-r4` profile, first in every notification
/// Bundle and in the answers of `$status` and `$events`. Pure: values in, the resource tree out.
public struct SubscriptionStatus: Sendable, Hashable {
    /// What a notification or answer is (`subscription-notification-type`).
    public enum NotificationType: String, Sendable, Hashable {
        case handshake
        case heartbeat
        case eventNotification = "event-notification"
        case queryStatus = "query-status"
        case queryEvent = "query-event"
    }

    /// One event the status speaks for (`notification-event`).
    public struct Event: Sendable, Hashable {
        public var number: Int
        /// A FHIR instant.
        public var timestamp: String?
        /// The absolute reference of the resource the event is about.
        public var focus: String?

        public init(number: Int, timestamp: String? = nil, focus: String? = nil) {
            self.number = number
            self.timestamp = timestamp
            self.focus = focus
        }
    }

    public static let profile =
        "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4"

    /// The resource id of the Parameters; nil for none.
    public var id: String?
    /// The absolute reference of the Subscription (`https://tandem.example/fhir/Subscription/s1`).
    public var subscription: String
    /// The topic's canonical URL.
    public var topic: String?
    /// `requested`, `active`, `error` or `off`.
    public var status: String
    public var type: NotificationType
    /// Events the subscription has numbered so far (`events-since-subscription-start`).
    public var eventsSinceStart: Int
    public var events: [Event]
    /// Why the subscription is in error, for `$status`.
    public var error: String?

    public init(
        id: String? = nil,
        subscription: String,
        topic: String?,
        status: String,
        type: NotificationType,
        eventsSinceStart: Int,
        events: [Event] = [],
        error: String? = nil
    ) {
        self.id = id
        self.subscription = subscription
        self.topic = topic
        self.status = status
        self.type = type
        self.eventsSinceStart = eventsSinceStart
        self.events = events
        self.error = error
    }

    /// The Parameters resource, its node named `name` (`resource` inside a Bundle entry).
    /// `events-since-subscription-start` and `event-number` are strings, as STU 1.1 of the IG has them.
    public func resource(named name: String = "Parameters") -> Element {
        var children: [Element] = []
        if let id = self.id { children.append(Self.primitive("id", "id", id)) }
        children.append(Self.node("meta", "Meta", [Self.primitive("profile", "canonical", Self.profile)]))
        children.append(Self.parameter("subscription", Self.reference(self.subscription)))
        if let topic = self.topic {
            children.append(Self.parameter("topic", Self.primitive("value", "canonical", topic)))
        }
        children.append(Self.parameter("status", Self.primitive("value", "code", self.status)))
        children.append(Self.parameter("type", Self.primitive("value", "code", self.type.rawValue)))
        children.append(
            Self.parameter(
                "events-since-subscription-start",
                Self.primitive("value", "string", String(self.eventsSinceStart))
            )
        )
        for event in self.events {
            var parts = [Self.parameter("event-number", Self.primitive("value", "string", String(event.number)))]
            if let timestamp = event.timestamp {
                parts.append(Self.parameter("timestamp", Self.primitive("value", "instant", timestamp)))
            }
            if let focus = event.focus { parts.append(Self.parameter("focus", Self.reference(focus))) }
            children.append(
                Self.node(
                    "parameter",
                    "Parameters.Parameter",
                    [Self.primitive("name", "string", "notification-event")] + parts.map { Self.renamed($0, "part") }
                )
            )
        }
        if let error = self.error {
            let coding = Self.node(
                "coding",
                "Coding",
                [
                    Self.primitive("system", "uri", "http://terminology.hl7.org/CodeSystem/subscription-error"),
                    Self.primitive("code", "code", "no-response"),
                ]
            )
            children.append(
                Self.parameter(
                    "error",
                    Self.node("value", "CodeableConcept", [coding, Self.primitive("text", "string", error)])
                )
            )
        }
        return Element(name: name, type: "Parameters", children: children)
    }

    private static func primitive(_ name: String, _ type: String, _ value: String) -> Element {
        Element(name: name, type: type, value: value)
    }

    private static func node(_ name: String, _ type: String, _ children: [Element]) -> Element {
        Element(name: name, type: type, children: children)
    }

    private static func reference(_ reference: String) -> Element {
        self.node("value", "Reference", [self.primitive("reference", "string", reference)])
    }

    private static func parameter(_ name: String, _ value: Element) -> Element {
        self.node("parameter", "Parameters.Parameter", [self.primitive("name", "string", name), value])
    }

    private static func renamed(_ element: Element, _ name: String) -> Element {
        var copy = element
        copy.name = name
        return copy
    }
}
