public import Foundation

/// Decides what happens to one delivery after each event; the forwarder performs the ``Action``.
///
/// Pure: the clock (`now`) and the jitter come in, so every path is unit-testable. The machine for an
/// outbox row is rebuilt from what the row stores (``init(policy:createdAt:attemptsMade:retryAt:jitter:)``),
/// so it survives restarts. Semantics (DESIGN.md §5):
/// - 2xx: delivered.
/// - 408, 429, 5xx and transport errors: retried with exponential backoff and full jitter; 429 and 503
///   honour `Retry-After` instead of the backoff.
/// - other statuses (4xx, and 1xx/3xx, which a POST should never end on) and requests that cannot be
///   sent as configured: dead-lettered at once.
/// - the policy's last attempt failing, or a retry that would fall past its maximum age: dead-lettered.
/// - consent revoked before sending: dead-lettered.
public struct DeliveryStateMachine: Sendable {
    public enum State: Sendable, Hashable {
        /// Planned, never attempted.
        case pending
        /// The `attempt`-th attempt (from 1) is on the wire.
        case inFlight(attempt: Int)
        /// Failed; the next attempt is due at `retryAt`.
        case waiting(retryAt: Date)
        case delivered
        case deadLettered(DeadLetterReason)
    }

    /// What the forwarder does once an attempt is decided: what becomes of the outbox row.
    public enum Action: Sendable, Hashable {
        case markDelivered
        /// Schedule the next attempt `after` from now, at `at`.
        case retry(after: Duration, at: Date)
        case deadLetter(DeadLetterReason)
    }

    public private(set) var state: State
    /// Attempts started so far, the one in flight included.
    public private(set) var attemptsMade: Int
    /// When the delivery was planned; the policy's maximum age counts from here.
    public let createdAt: Date
    public let policy: RetryPolicy
    private let jitter: Jitter

    /// A machine for a newly planned delivery.
    public init(policy: RetryPolicy, createdAt: Date, jitter: Jitter = .system) {
        self.init(policy: policy, createdAt: createdAt, attemptsMade: 0, retryAt: nil, jitter: jitter)
    }

    /// A machine for a delivery that is not finished, rebuilt from its outbox row: `pending` when never
    /// attempted, else `waiting` until `retryAt`. `attemptsMade` counts attempts whose outcome was recorded.
    public init(policy: RetryPolicy, createdAt: Date, attemptsMade: Int, retryAt: Date?, jitter: Jitter = .system) {
        precondition(attemptsMade >= 0, "attempts cannot be negative")
        self.policy = policy
        self.createdAt = createdAt
        self.attemptsMade = attemptsMade
        self.jitter = jitter
        self.state = attemptsMade == 0 ? .pending : .waiting(retryAt: retryAt ?? createdAt)
    }

    /// The moment after which no attempt starts.
    public var deadline: Date { self.createdAt.addingTimeInterval(self.policy.maximumAge.inSeconds) }

    /// What the forwarder does when it is about to send.
    public enum Start: Sendable, Hashable {
        /// Send now; this is attempt number `attempt` (from 1).
        case send(attempt: Int)
        /// Give up without sending.
        case deadLetter(DeadLetterReason)
    }

    /// The forwarder is about to send (consent was checked again just before).
    /// - Returns: ``Start/send(attempt:)``, or ``Start/deadLetter(_:)`` when the delivery is too old or
    ///   has no attempts left (its recorded attempts already reach a maximum lowered since).
    public mutating func attemptStarted(now: Date) -> Start {
        switch self.state {
        case .pending, .waiting:
            if now > self.deadline { return .deadLetter(self.giveUp(.expired(last: nil))) }
            if self.attemptsMade >= self.policy.maximumAttempts {
                return .deadLetter(self.giveUp(.attemptsExhausted(attempts: self.attemptsMade, last: nil)))
            }
            self.attemptsMade += 1
            self.state = .inFlight(attempt: self.attemptsMade)
            return .send(attempt: self.attemptsMade)
        case .inFlight, .delivered, .deadLettered:
            preconditionFailure("attemptStarted in state \(self.state)")
        }
    }

    /// The partner answered with an HTTP status.
    /// - Parameter retryAfter: the response's `Retry-After`, honoured for 429 and 503 only.
    public mutating func responseReceived(status: Int, retryAfter: RetryAfter?, now: Date) -> Action {
        guard case .inFlight = self.state else { preconditionFailure("responseReceived in state \(self.state)") }
        switch status {
        case 200...299:
            self.state = .delivered
            return .markDelivered
        case 408, 429, 500...599:
            let honoured = status == 429 || status == 503 ? retryAfter : nil
            return self.retryOrGiveUp(after: .status(status), retryAfter: honoured, now: now)
        default:
            return self.deadLetter(.rejected(status: status))
        }
    }

    /// The request got no HTTP response.
    public mutating func transportFailed(_ kind: TransportError.Kind, now: Date) -> Action {
        guard case .inFlight = self.state else { preconditionFailure("transportFailed in state \(self.state)") }
        guard kind.isRetryable else { return self.deadLetter(.undeliverable(kind)) }
        return self.retryOrGiveUp(after: .transport(kind), retryAfter: nil, now: now)
    }

    /// Consent no longer permits the partner: give up before sending.
    public mutating func consentRevoked() -> Action {
        switch self.state {
        case .pending, .waiting: return self.deadLetter(.consentRevoked)
        case .inFlight, .delivered, .deadLettered: preconditionFailure("consentRevoked in state \(self.state)")
        }
    }

    private mutating func retryOrGiveUp(after failure: DeliveryFailure, retryAfter: RetryAfter?, now: Date) -> Action {
        if self.attemptsMade >= self.policy.maximumAttempts {
            return self.deadLetter(.attemptsExhausted(attempts: self.attemptsMade, last: failure))
        }
        let delay =
            retryAfter?.delay(from: now)
            ?? self.policy.backoff(afterFailedAttempts: self.attemptsMade, jitter: self.jitter)
        let retryAt = now.addingTimeInterval(delay.inSeconds)
        if retryAt > self.deadline { return self.deadLetter(.expired(last: failure)) }
        self.state = .waiting(retryAt: retryAt)
        return .retry(after: delay, at: retryAt)
    }

    private mutating func deadLetter(_ reason: DeadLetterReason) -> Action {
        .deadLetter(self.giveUp(reason))
    }

    private mutating func giveUp(_ reason: DeadLetterReason) -> DeadLetterReason {
        self.state = .deadLettered(reason)
        return reason
    }
}
