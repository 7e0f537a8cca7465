/// The topics Tandem publishes for topic-based Subscriptions (R4 Subscriptions Backport IG): one per
/// delivery topic of its timeline events (``EventKind/topic``), and `all` for every event.
///
/// A topic's canonical URL hangs off the gateway's public FHIR base: `<base>/SubscriptionTopic/<name>`.
/// Each topic's events are episode changes, so every topic filters by the same keys
/// (``EpisodeFilter``).
public enum SubscriptionTopic {
    /// The topic that carries every event.
    public static let all = "all"

    /// Every topic name, `all` first, then the delivery topics in alphabetical order.
    public static let names: [String] = [Self.all] + Set(EventKind.allCases.map(\.topic)).sorted()

    /// The canonical URL of a topic under the public FHIR base `base` (no trailing slash).
    public static func canonical(_ name: String, base: String) -> String {
        base + "/SubscriptionTopic/" + name
    }

    /// The topic a canonical URL names under `base` (under any base when nil: a Subscription the gateway
    /// checked when it was saved), or nil when it names none Tandem publishes.
    public static func name(of canonical: String, base: String?) -> String? {
        let marker = "/SubscriptionTopic/"
        if let base {
            guard canonical.hasPrefix(base + marker) else { return nil }
        }
        guard let slash = canonical.lastIndex(of: "/"), canonical[...slash].hasSuffix(marker) else { return nil }
        let name = String(canonical[canonical.index(after: slash)...])
        return Self.names.contains(name) ? name : nil
    }

    /// Whether an event of `kind` belongs to the topic `name`.
    public static func includes(_ name: String, _ kind: EventKind) -> Bool {
        name == Self.all || name == "*" || kind.topic == name
    }
}
