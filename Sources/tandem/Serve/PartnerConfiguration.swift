import Delivery
import Foundation
import Server

/// A partner as the JSON configuration spells it: Delivery's ``Partner`` with durations written the
/// friendly way ("500ms", "10s", "5m", "24h"), authentication as a small tagged object, and secrets that may
/// name an environment variable (``SecretSetting``). Delivery's own `Codable` form (durations as
/// `[seconds, attoseconds]`) is not meant for people to write.
struct PartnerConfiguration: Decodable {
    struct Retry: Decodable {
        var maximumAttempts: Int?
        var maximumAge: FriendlyDuration?
        var baseBackoff: FriendlyDuration?
        var maximumBackoff: FriendlyDuration?
    }

    /// `{"type": "bearer", "token": …}`, `{"type": "basic", "user": …, "password": …}` or
    /// `{"type": "client-certificate", "certificate": PATH, "key": PATH, "keyPassword": …}`.
    struct Auth: Decodable {
        var type: String
        var token: SecretSetting?
        var user: String?
        var password: SecretSetting?
        var certificate: String?
        var key: String?
        var keyPassword: SecretSetting?
    }

    var id: String
    /// Where the configuration's own subscription delivers; none: the partner subscribes over REST only.
    var endpoint: String?
    var format: NotificationFormat?
    var payload: PayloadMode?
    var topics: Set<String>?
    var represents: Set<String>?
    var serviceLines: Set<String>?
    var auth: Auth?
    var caBundle: String?
    var hmacSecret: SecretSetting?
    var timeout: FriendlyDuration?
    var retry: Retry?
    /// The hex SHA-256 of the bearer token the partner reads with; none gives it no access.
    var tokenHash: SecretSetting?

    /// The partner's account for reading back, when it has a token.
    func account() -> PartnerAccount? {
        self.tokenHash.map { PartnerAccount(id: self.id, tokenHash: $0.value, represents: self.represents ?? []) }
    }

    /// What the partner's REST Subscriptions inherit from this entry.
    func profile() -> SubscriberProfile {
        SubscriberProfile(
            account: self.id,
            represents: self.represents ?? [],
            serviceLines: self.serviceLines ?? [],
            hmacSecret: self.hmacSecret?.value,
            caBundlePath: self.caBundle,
            timeout: self.timeout?.duration ?? .seconds(10),
            retry: self.retryPolicy
        )
    }

    private var retryPolicy: RetryPolicy {
        let defaults = RetryPolicy()
        return RetryPolicy(
            maximumAttempts: self.retry?.maximumAttempts ?? defaults.maximumAttempts,
            maximumAge: self.retry?.maximumAge?.duration ?? defaults.maximumAge,
            baseBackoff: self.retry?.baseBackoff?.duration ?? defaults.baseBackoff,
            maximumBackoff: self.retry?.maximumBackoff?.duration ?? defaults.maximumBackoff
        )
    }

    /// The configuration's own subscription for this partner; nil when it names no endpoint.
    func partner() throws -> Partner? {
        guard let endpoint = self.endpoint else { return nil }
        guard let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https" else {
            throw ConfigurationError("partner '\(self.id)': endpoint must be an http or https URL")
        }
        let retry = self.retryPolicy
        return Partner(
            id: self.id,
            endpoint: url,
            format: self.format ?? .fhirJSON,
            payload: self.payload ?? .full,
            topics: self.topics ?? ["*"],
            represents: self.represents ?? [],
            serviceLines: self.serviceLines ?? [],
            auth: try self.auth.map { try $0.partnerAuth(partner: self.id) } ?? PartnerAuth.none,
            caBundlePath: self.caBundle,
            hmacSecret: self.hmacSecret?.value,
            timeout: self.timeout?.duration ?? .seconds(10),
            retry: retry
        )
    }
}

extension PartnerConfiguration.Auth {
    func partnerAuth(partner: String) throws -> PartnerAuth {
        switch self.type {
        case "none":
            return PartnerAuth.none
        case "bearer":
            guard let token else { throw ConfigurationError("partner '\(partner)': bearer auth needs a token") }
            return .bearer(token: token.value)
        case "basic":
            guard let user, let password else {
                throw ConfigurationError("partner '\(partner)': basic auth needs user and password")
            }
            return .basic(user: user, password: password.value)
        case "client-certificate":
            guard let certificate, let key else {
                throw ConfigurationError("partner '\(partner)': client-certificate auth needs certificate and key")
            }
            return .clientCertificate(certificatePath: certificate, keyPath: key, keyPassword: self.keyPassword?.value)
        default:
            throw ConfigurationError(
                "partner '\(partner)': auth type must be none, bearer, basic or client-certificate, not '\(self.type)'"
            )
        }
    }
}

/// A duration written as a number and a unit: `ms`, `s`, `m` or `h` ("250ms", "10s", "1.5m", "24h").
struct FriendlyDuration: Decodable, Equatable {
    var duration: Duration

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let duration = Self.parse(text) else {
            throw DecodingError.unusableSetting(
                "'\(text)' is not a duration such as 500ms, 10s, 5m or 24h",
                at: decoder
            )
        }
        self.duration = duration
    }

    static func parse(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (unit, seconds) in units where text.hasSuffix(unit) {
            guard let value = Double(text.dropLast(unit.count)), value >= 0, value.isFinite else { return nil }
            return .milliseconds(Int64((value * seconds * 1000).rounded()))
        }
        return nil
    }
}
