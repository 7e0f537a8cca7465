public import CoManagement
import Foundation

/// What the configuration says of a partner account, which its Subscriptions made over REST inherit: whom
/// the partner speaks for and which service lines it follows (so a Subscription's filters can only narrow
/// what the partner may hear), the secret notifications are signed with, the CA that verifies its
/// endpoints, and the retry policy and default timeout.
public struct SubscriberProfile: Sendable, Hashable {
    /// The partner account's id.
    public var account: String
    public var represents: Set<String>
    public var serviceLines: Set<String>
    public var hmacSecret: String?
    public var caBundlePath: String?
    public var timeout: Duration
    public var retry: RetryPolicy

    public init(
        account: String,
        represents: Set<String> = [],
        serviceLines: Set<String> = [],
        hmacSecret: String? = nil,
        caBundlePath: String? = nil,
        timeout: Duration = .seconds(10),
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.account = account
        self.represents = represents
        self.serviceLines = serviceLines
        self.hmacSecret = hmacSecret
        self.caBundlePath = caBundlePath
        self.timeout = timeout
        self.retry = retry
    }
}

extension Partner {
    /// A Subscription a partner made over REST, as the gateway delivers to it: the partner's reach,
    /// secret and retry policy from its profile, the channel, topic, filters and payload from the
    /// Subscription. Nil when its endpoint is not a URL.
    public init?(subscription: TopicSubscription, id: String, profile: SubscriberProfile) {
        guard let endpoint = URL(string: subscription.endpoint) else { return nil }
        let end = subscription.end.flatMap { FHIRInstant($0) }.map { Date(timeIntervalSince1970: $0.secondsSinceEpoch) }
        let payload: PayloadMode =
            switch subscription.content {
            case .empty: .empty
            case .idOnly: .idOnly
            case .fullResource: .full
            }
        self.init(
            id: id,
            endpoint: endpoint,
            format: subscription.contentType == "application/fhir+xml" ? .fhirXML : .fhirJSON,
            payload: payload,
            topics: [subscription.topic],
            represents: profile.represents,
            serviceLines: profile.serviceLines,
            auth: .none,
            caBundlePath: profile.caBundlePath,
            hmacSecret: profile.hmacSecret,
            timeout: subscription.timeout.map { .seconds($0) } ?? profile.timeout,
            retry: profile.retry,
            account: profile.account,
            filter: subscription.filter,
            headers: subscription.headers,
            heartbeatPeriod: subscription.heartbeatPeriod,
            end: end
        )
    }

    /// The profile a configured partner gives the Subscriptions its account makes over REST.
    public var profile: SubscriberProfile {
        SubscriberProfile(
            account: self.account,
            represents: self.represents,
            serviceLines: self.serviceLines,
            hmacSecret: self.hmacSecret,
            caBundlePath: self.caBundlePath,
            timeout: self.timeout,
            retry: self.retry
        )
    }
}
