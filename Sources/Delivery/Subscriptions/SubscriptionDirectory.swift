import CoManagement
import FHIRCore
public import Store
import Synchronization

/// The subscriptions the gateway delivers to now, by id: the configuration's partners, and the active
/// Subscriptions partners made over REST, as ``Partner`` values.
///
/// Shared by the outbox planning (who hears of a change), the forwarder (where a claimed row goes) and
/// the ``SubscriptionKeeper`` (handshakes and heartbeats), which refreshes it from the store: every
/// second, and at once when this process saved a Subscription. A Subscription another replica saved is
/// seen within that second.
public final class SubscriptionDirectory: Sendable {
    /// The configuration's partners, which every replica knows from its own file.
    public let configured: [Partner]
    /// Per partner account, what its REST Subscriptions inherit.
    public let profiles: [String: SubscriberProfile]
    /// The public FHIR base the topic canonicals hang off.
    public let baseURL: String
    private let rest = Mutex<[String: Partner]>([:])
    private let configuredByID: [String: Partner]

    public init(configured: [Partner], profiles: [SubscriberProfile], baseURL: String) {
        self.configured = configured
        self.configuredByID = Dictionary(configured.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var byAccount = Dictionary(profiles.map { ($0.account, $0) }, uniquingKeysWith: { first, _ in first })
        // A configured partner's account lends its own delivery settings to its REST Subscriptions.
        for partner in configured where byAccount[partner.account] == nil {
            byAccount[partner.account] = partner.profile
        }
        self.profiles = byAccount
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// Every subscription events are planned for: the configuration's, then the active REST ones by id.
    public var subscriptions: [Partner] {
        let rest = self.rest.withLock { $0 }
        return self.configured + rest.keys.sorted().compactMap { rest[$0] }
    }

    /// The subscription a claimed outbox row names, when it is still configured or active.
    public func partner(_ id: String) -> Partner? {
        self.configuredByID[id] ?? self.rest.withLock { $0[id] }
    }

    /// Takes the store's REST subscriptions as they are now: those `active` whose partner still has a
    /// profile are delivered to; any other is not (its rows waiting are dead-lettered when claimed).
    public func refresh(from records: [SubscriptionRecord]) {
        var active: [String: Partner] = [:]
        for record in records where record.origin == .rest && record.status == "active" {
            if let partner = self.partner(of: record) { active[record.id] = partner }
        }
        self.rest.withLock { $0 = active }
    }

    /// A REST subscription as a ``Partner``, whatever its status; nil when its resource cannot be read
    /// or its partner has no profile.
    public func partner(of record: SubscriptionRecord) -> Partner? {
        guard let profile = self.profiles[record.owner],
            let resource = try? FHIRJSON.read(record.resource).root,
            let subscription = try? TopicSubscription.read(Self.requestable(resource), base: nil)
        else { return nil }
        return Partner(subscription: subscription, id: record.id, profile: profile)
    }

    /// The resource with a status ``TopicSubscription/read(_:base:)`` takes: the gateway's own `error`
    /// reads as `off` (it only describes the channel here).
    private static func requestable(_ resource: Element) -> Element {
        var copy = resource
        if let index = copy.children.firstIndex(where: { $0.name == "status" }), copy.children[index].value == "error" {
            copy.children[index].value = "off"
        }
        return copy
    }
}
