public import FHIRCore

/// What went wrong on one failed attempt: an HTTP status that is not success, or a transport error.
public enum DeliveryFailure: Sendable, Hashable, CustomStringConvertible {
    case status(Int)
    case transport(TransportError.Kind)

    public var description: String {
        switch self {
        case .status(let status): "HTTP \(status)"
        case .transport(let kind): "transport error \(kind)"
        }
    }
}

/// Why a delivery was given up; recorded on the outbox row and in the audit trail.
public enum DeadLetterReason: Sendable, Hashable, CustomStringConvertible {
    /// The partner answered with a status that retrying cannot change (4xx other than 408 and 429).
    case rejected(status: Int)
    /// The request cannot be sent as configured (malformed URL, unsupported scheme).
    case undeliverable(TransportError.Kind)
    /// The last of the policy's attempts failed (`last` is nil when the row already had no attempts left
    /// when claimed, say after the configured maximum was lowered).
    case attemptsExhausted(attempts: Int, last: DeliveryFailure?)
    /// The next attempt would fall after the policy's maximum age.
    case expired(last: DeliveryFailure?)
    /// Consent no longer permits the partner to receive the episode.
    case consentRevoked
    /// The row's partner is no longer in the configuration.
    case partnerNotConfigured
    /// The row's episode is no longer stored, so consent cannot be checked again.
    case episodeNotStored

    public var description: String {
        switch self {
        case .rejected(let status): "rejected by the partner with HTTP \(status)"
        case .undeliverable(let kind): "cannot be sent as configured (\(kind))"
        case .attemptsExhausted(let attempts, let last):
            "gave up after \(attempts) attempts" + (last.map { "; last: \($0)" } ?? "")
        case .expired(let last): "past the retry policy's maximum age" + (last.map { "; last: \($0)" } ?? "")
        case .consentRevoked: "consent no longer permits this partner"
        case .partnerNotConfigured: "the partner is no longer configured"
        case .episodeNotStored: "the episode is no longer stored"
        }
    }

    /// The reason as an ``FHIRCore/Issue``, for audit and the deliveries API.
    public var issue: Issue {
        switch self {
        case .rejected: Issue(.error, .processing, path: nil, self.description)
        case .undeliverable: Issue(.error, .invalid, path: nil, self.description)
        case .attemptsExhausted: Issue(.error, .transient, path: nil, self.description)
        case .expired: Issue(.error, .timeout, path: nil, self.description)
        case .consentRevoked: Issue(.error, .suppressed, path: nil, self.description)
        case .partnerNotConfigured, .episodeNotStored: Issue(.error, .notFound, path: nil, self.description)
        }
    }
}
