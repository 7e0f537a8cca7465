import CoManagement
import FHIRCore
import Store

/// The answer of `$events` (R4 Subscriptions Backport IG): a `history` Bundle whose first entry is the
/// SubscriptionStatus (`query-event`) naming each event returned, followed by the resource entries of
/// each event's notification as it was planned (full, id-only or none, as the subscription asked).
enum SubscriptionEvents {
    static func bundle(
        _ events: [SubscribedEvent],
        record: SubscriptionRecord,
        topic: String?,
        eventsSinceStart: Int,
        base: String
    ) -> Element {
        var statusEvents: [SubscriptionStatus.Event] = []
        var entries: [Element] = []
        for event in events {
            let notification = self.notification(event.body)
            let focus = ReferenceText(event.event.source)
            var focusURL: String?
            if case .restful(_, let name, let version) = focus {
                focusURL = base + "/" + name.description + (version.map { "/_history/\($0)" } ?? "")
            }
            statusEvents.append(
                SubscriptionStatus.Event(
                    number: event.eventNumber,
                    timestamp: FHIRTime.instant(event.plannedAt),
                    focus: focusURL
                )
            )
            // The planned notification's entries after its status.
            entries += notification?.children(named: "entry").dropFirst() ?? []
        }
        let status = SubscriptionStatus(
            id: RouteInput.newID(),
            subscription: "\(base)/Subscription/\(record.id)",
            topic: topic,
            status: record.status,
            type: .queryEvent,
            eventsSinceStart: eventsSinceStart,
            events: statusEvents
        )
        let statusEntry = Element.node(
            "entry",
            "Bundle.Entry",
            [
                .primitive("fullUrl", "uri", "urn:uuid:\(status.id ?? "")"),
                status.resource(named: "resource"),
            ]
        )
        return .node(
            "Bundle",
            "Bundle",
            [
                .primitive("id", "id", RouteInput.newID()),
                .node("meta", "Meta", [.primitive("profile", "canonical", Self.profile)]),
                .primitive("type", "code", "history"),
            ] + [statusEntry] + entries
        )
    }

    static let profile =
        "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-notification-r4"

    /// A stored notification body read back (JSON or XML); nil for the episode-document format.
    private static func notification(_ body: [UInt8]) -> Element? {
        if let parsed = try? FHIRJSON.read(body) { return parsed.root }
        return (try? FHIRXML.read(body))?.root
    }
}
